// SIGTERM while requests are in flight: every request answered 200 is in Kafka, the
// process exits 0, and nothing is answered 200 that was not stored.
import { spawn } from 'node:child_process'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gen2Headers } from '@nudj-webhooks/nudj-sim'
import { consumeUntil, freePort, serviceEnv, uniqueName, waitFor } from '@nudj-webhooks/testing'
import { Kafka, logLevel } from 'kafkajs'
import { describe, expect, inject, it } from 'vitest'

const infra = inject('infra')
const main = fileURLToPath(new URL('../src/main.ts', import.meta.url))

describe('ingest on SIGTERM', () => {
  it('answers or fails every in-flight request, loses none that were answered 200, and exits 0', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ingest-sigterm-'))
    await writeFile(
      join(dir, 'sources.json'),
      JSON.stringify({ sources: { acme: { schemes: ['gen2-hmac'], gen2Secrets: [{ id: 'k', env: 'SIGTERM_SECRET' }] } } }),
    )
    const [port, opsPort] = [await freePort(), await freePort()]
    const prefix = uniqueName('sigterm')
    const child = spawn(process.execPath, [main], {
      env: {
        ...process.env,
        ...serviceEnv('ingest', infra, {
          topicPrefix: prefix,
          partitions: 2,
          port,
          opsPort,
          env: { INGEST_SOURCES_FILE: join(dir, 'sources.json'), SIGTERM_SECRET: 'whsec_sigterm-test-secret' },
        }),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    child.stdout.on('data', (d: Buffer) => (output += d.toString()))
    child.stderr.on('data', (d: Buffer) => (output += d.toString()))
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve))
    await waitFor(async () => (await fetch(`http://127.0.0.1:${opsPort}/readyz`).catch(() => undefined))?.ok, {
      timeoutMs: 60_000,
      intervalMs: 200,
      message: `ingest did not become ready:\n${output}`,
    })

    // Keep 20 requests in flight at all times, then SIGTERM after 150 answers.
    const answers: { id: string; status: number | 'error' }[] = []
    let next = 0
    let signalled = false
    const sendOne = async (): Promise<void> => {
      const id = `dlv-${++next}`
      const body = Buffer.from(
        `{"event":"reward.earned","timestamp":"${new Date().toISOString()}","data":{"user":{"id":"u"},"reward":{"id":"${id}"}}}`,
      )
      try {
        const response = await fetch(`http://127.0.0.1:${port}/webhooks/nudj/acme`, {
          method: 'POST',
          headers: gen2Headers({ body, secret: 'whsec_sigterm-test-secret', event: 'reward.earned', deliveryId: id }),
          body,
          signal: AbortSignal.timeout(10_000),
        })
        await response.arrayBuffer()
        answers.push({ id, status: response.status })
      } catch {
        answers.push({ id, status: 'error' })
      }
      if (answers.length >= 150 && !signalled) {
        signalled = true
        child.kill('SIGTERM')
      }
    }
    const worker = async (): Promise<void> => {
      // Bounded: at most 600 requests in all, and none after the process has gone.
      while (next < 600 && child.exitCode === null) await sendOne()
    }
    await Promise.all(Array.from({ length: 20 }, worker))
    expect(await exited).toBe(0)

    const acknowledged = answers.filter((a) => a.status === 200).map((a) => a.id)
    expect(acknowledged.length).toBeGreaterThanOrEqual(150)
    // After SIGTERM the rest were refused (503 SHUTTING_DOWN or a closed connection), never lost silently.
    expect(answers.every((a) => a.status === 200 || a.status === 503 || a.status === 'error')).toBe(true)

    const kafka = new Kafka({ brokers: infra.kafkaBrokers, logLevel: logLevel.NOTHING })
    const stored = await consumeUntil(kafka, {
      topics: [`${prefix}.reward`],
      groupId: uniqueName('audit'),
      until: (r) => r.length >= acknowledged.length,
      timeoutMs: 30_000,
    })
    const keys = new Set(stored.map((r) => r.message.key?.toString()))
    expect(acknowledged.filter((id) => !keys.has(id))).toEqual([])
  }, 120_000)
})
