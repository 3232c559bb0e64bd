// Authentication cannot be switched off by accident: the real ingest process refuses an
// empty or short secret at startup (exit 78, naming the source and secret, never quoting
// it), and gen-1 static headers are accepted only by a source that lists gen1-static.
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { categories } from '@nudj-webhooks/contracts'
import { gen1Headers } from '@nudj-webhooks/nudj-sim'
import { serviceEnv, uniqueName } from '@nudj-webhooks/testing'
import { afterAll, describe, expect, inject, it } from 'vitest'
import { secrets, startTestIngest, type TestIngest } from './start-test-ingest.ts'

const infra = inject('infra')
const main = fileURLToPath(new URL('../src/main.ts', import.meta.url))

/** Starts `node src/main.ts` with this sources file; resolves with its exit code and everything it printed. */
async function runIngest(dir: string, sources: unknown, env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  await writeFile(join(dir, 'sources.json'), JSON.stringify(sources))
  const child = spawn(process.execPath, [main], {
    env: {
      ...process.env,
      ...serviceEnv('ingest', infra, {
        topicPrefix: uniqueName('weak'),
        env: { INGEST_SOURCES_FILE: join(dir, 'sources.json'), LOG_LEVEL: 'debug', ...env },
      }),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout.on('data', (d: Buffer) => (output += d.toString()))
  child.stderr.on('data', (d: Buffer) => (output += d.toString()))
  // A process that accepted the secret would run until killed: then the code is null and the test says so.
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000)
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
  clearTimeout(timer)
  return { code, output }
}

describe('ingest refuses an empty or short secret at startup', () => {
  it('exits 78 on an empty secret file, naming the source and secret, and prints no secret', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ingest-weak-'))
    await writeFile(join(dir, 'empty'), '\n')
    const previous = `whsec_${randomBytes(24).toString('base64url')}`
    const sources = {
      sources: {
        acme: {
          schemes: ['gen2-hmac'],
          gen2Secrets: [
            { id: 'current', file: join(dir, 'empty') },
            { id: 'previous', env: 'WEAK_TEST_PREVIOUS' },
          ],
        },
      },
    }
    const { code, output } = await runIngest(dir, sources, { WEAK_TEST_PREVIOUS: previous })
    expect(code, output).toBe(78)
    expect(output).toContain(`source acme gen2Secrets current: the secret in ${join(dir, 'empty')} is empty`)
    // The good secret beside it is not printed either, not even in part.
    expect(output).not.toContain(previous.slice(6, 14))
    expect(output).not.toMatch(/ingest listening/)
  })

  it('exits 78 on a 3-character secret file and a 15-character token, naming both, and prints no part of either', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ingest-weak-'))
    // Both start with %#, which no temporary path or log line holds: no prefix of either longer
    // than one character may appear in the output.
    await writeFile(join(dir, 'short'), '%#q\n')
    const token = '%#qbluebird-4t7'
    const sources = {
      sources: {
        acme: {
          schemes: ['gen2-hmac', 'gen1-static'],
          gen2Secrets: [{ id: 'current', file: join(dir, 'short') }],
          gen1Headers: { Authorization: { env: 'WEAK_TEST_GEN1' }, 'X-Webhook-Source': { value: 'nudj-platform' } },
        },
      },
    }
    const { code, output } = await runIngest(dir, sources, { WEAK_TEST_GEN1: `Bearer ${token}` })
    expect(code, output).toBe(78)
    expect(output).toContain(`source acme gen2Secrets current: the secret in ${join(dir, 'short')} is shorter than 16 bytes`)
    expect(output).toContain('source acme gen1Headers Authorization: the secret in WEAK_TEST_GEN1 is shorter than 16 bytes')
    expect(output).not.toContain('%#')
    expect(output).not.toContain('bluebird')
  })
})

describe('gen-1 static headers are opt-in per source', () => {
  let ingest: TestIngest | undefined
  afterAll(async () => {
    await ingest?.close()
  })

  it('answers 401 to correct gen-1 headers on a source that does not list gen1-static, and writes nothing', async () => {
    // Both sources hold the same gen-1 credentials; only the first lists the scheme.
    const gen1 = { Authorization: { env: 'TEST_GEN1_AUTH' }, 'X-Webhook-Source': { value: 'nudj-platform' } }
    const gen2Secrets = [{ id: 'current', env: 'TEST_SECRET_CURRENT' }]
    ingest = await startTestIngest(
      infra,
      {},
      {
        sources: {
          legacy: { schemes: ['gen2-hmac', 'gen1-static'], gen2Secrets, gen1Headers: gen1 },
          modern: { schemes: ['gen2-hmac'], gen2Secrets, gen1Headers: gen1 },
        },
      },
    )
    const running = ingest
    const total = async (): Promise<number> =>
      (await Promise.all(categories.map(async (category) => await running.countRecords(category)))).reduce((a, b) => a + b, 0)
    const delivery = (id: string): Buffer =>
      Buffer.from(
        JSON.stringify({
          id,
          eventCategory: 'challenge',
          eventSubCategory: 'challenge-completion',
          userId: 'u1',
          eventSourceId: 'c1',
          payload: {},
          createdAt: '2026-03-14T10:21:45.102Z',
        }),
      )
    const headers = gen1Headers({ Authorization: `Bearer ${secrets.gen1}`, 'X-Webhook-Source': 'nudj-platform' })
    const send = async (source: string, body: Buffer) => {
      const response = await fetch(`${running.address}/webhooks/nudj/${source}`, { method: 'POST', headers, body })
      return { status: response.status, json: (await response.json()) as { code?: string } }
    }

    // The headers are right: the source that opted in stores the delivery.
    expect(await send('legacy', delivery('gen1-legacy'))).toMatchObject({ status: 200 })
    await running.read('challenge', ['gen1-legacy'])
    const before = await total()

    expect(await send('modern', delivery('gen1-modern'))).toMatchObject({ status: 401, json: { code: 'MISSING_SIGNATURE' } })
    // The public header alone, on the source that does accept gen-1: refused as well.
    const { status } = await fetch(`${running.address}/webhooks/nudj/legacy`, {
      method: 'POST',
      headers: gen1Headers({ 'X-Webhook-Source': 'nudj-platform' }),
      body: delivery('gen1-public-only'),
    })
    expect(status).toBe(401)

    const audit = await running.readRejected(2)
    expect(audit.map((a) => [a.rejection.source, a.rejection.reason])).toEqual(
      expect.arrayContaining([
        ['modern', 'MISSING_SIGNATURE'],
        ['legacy', 'BAD_CREDENTIALS'],
      ]),
    )
    expect(JSON.stringify(audit.map((a) => a.rejection))).not.toContain(secrets.gen1)
    expect(await total()).toBe(before)
  })
})
