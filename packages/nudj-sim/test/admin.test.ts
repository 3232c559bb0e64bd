import { createHmac, timingSafeEqual } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { waitFor } from '@nudj-webhooks/testing'
import { afterEach, describe, expect, it } from 'vitest'
import {
  AdminApiError,
  createAdminClient,
  runWebhooksCommand,
  type Gen1LogRecord,
  type Gen1WebhookConfig,
  type Gen2LogRecord,
  type Gen2WebhookConfig,
} from '@nudj-webhooks/nudj-admin'
import { createAdminStandIn } from '../src/admin-stand-in.ts'
import type { AdminStandIn, AdminStandInOptions } from '../src/admin-stand-in.ts'
import { runStandInCommand } from '../src/cli/stand-in-command.ts'
import { startServer } from './start-server.ts'
import type { TestServer } from './start-server.ts'

const token = 'tok_admin_0123456789'
const fast = { gen1: { kind: 'fixed', delayMs: 10, maxRetries: 3 }, gen2: { kind: 'fixed', delayMs: 10, maxRetries: 3 } } as const

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

async function standIn(options: Partial<AdminStandInOptions> = {}): Promise<AdminStandIn> {
  const started = await createAdminStandIn({ tokens: [token], policies: fast, deliveryTimeoutMs: 2000, ...options })
  cleanups.push(() => started.close())
  return started
}

async function server(respond: Parameters<typeof startServer>[0]): Promise<TestServer> {
  const started = await startServer(respond)
  cleanups.push(() => started.close())
  return started
}

const existing: Gen1WebhookConfig = {
  url: 'https://crm.example/hooks/nudj',
  events: ['challenge-completion'],
  httpMethod: 'POST',
  isEnabled: true,
  maxRetries: 3,
  headers: { Authorization: 'Bearer crm-secret', 'X-Webhook-Source': 'nudj-platform' },
}

describe('admin client against the stand-in', () => {
  it('registers a receiver while keeping the config that was already there', async () => {
    const admin = await standIn()
    const client = createAdminClient({ baseUrl: admin.url, token, auth: 'x-api-token' })
    await client.putConfigs([existing], { bodyShape: 'array' })
    const receiver: Gen2WebhookConfig = { url: 'https://ingest.example/nudj', events: ['reward.earned'], secret: 'whsec_a', active: true }

    await client.registerReceiver(receiver, { bodyShape: 'wrapped' })
    expect(await client.listConfigs()).toEqual([existing, receiver])

    const updated = { ...receiver, events: ['reward.earned', 'points.awarded'] }
    const stored = await client.registerReceiver(updated, { bodyShape: 'array' })
    expect(stored).toEqual([existing, updated])
    expect(admin.configs()).toEqual([existing, updated])
  })

  it('replaces the list with either PUT body shape', async () => {
    const admin = await standIn()
    const client = createAdminClient({ baseUrl: admin.url, token, auth: 'bearer' })
    const other = { ...existing, url: 'https://other.example/hooks' }

    await client.putConfigs([existing], { bodyShape: 'array' })
    expect(admin.configs()).toEqual([existing])
    await client.putConfigs([other], { bodyShape: 'wrapped' })
    expect(admin.configs()).toEqual([other])
  })

  it('reports every validation problem as a failed call', async () => {
    const admin = await standIn()
    const client = createAdminClient({ baseUrl: admin.url, token, auth: 'x-api-token' })
    const invalid = { ...existing, url: 'ftp://x.example', events: [] }

    const error = await client.putConfigs([invalid], { bodyShape: 'array' }).catch((e: unknown) => e)

    expect(error).toBeInstanceOf(AdminApiError)
    expect(error).toMatchObject({ code: 'ADMIN_API_FAILED', status: 400, retryable: false })
    expect((error as Error).message).toContain('configs[0].url must be an http(s) URL; configs[0].events must be a non-empty array')
    expect(admin.configs()).toEqual([])
  })

  it('accepts x-api-token (any case, optional Bearer prefix) and Authorization: Bearer, and nothing else', async () => {
    const admin = await standIn()
    const get = (headers: Record<string, string>) => fetch(`${admin.url}/webhooks/configs`, { headers })
    expect((await get({ 'X-API-TOKEN': token })).status).toBe(200)
    expect((await get({ 'x-api-token': `Bearer ${token}` })).status).toBe(200)
    expect((await get({ authorization: `Bearer ${token}` })).status).toBe(200)
    expect((await get({})).status).toBe(401)
    expect((await get({ authorization: token })).status).toBe(401)
    expect(await createAdminClient({ baseUrl: admin.url, token, auth: 'bearer' }).listConfigs()).toEqual([])

    const wrong = createAdminClient({ baseUrl: admin.url, token: 'tok_wrong_value', auth: 'x-api-token' })
    const error = await wrong.listConfigs().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(AdminApiError)
    expect(error).toMatchObject({ code: 'ADMIN_API_UNAUTHORIZED', status: 401 })
    expect((error as Error).message).not.toContain('tok_wrong_value')
  })

  it('reads the bare-array and { data } answers of a differently shaped API', async () => {
    const config = { url: 'https://a.example/h', events: ['reward.earned'], secret: 'whsec_b', active: true }
    const record = { deliveryId: 'd1', webhookConfigId: 'c1', event: 'reward.earned', url: config.url, status: 'failed', attempts: 2 }
    const api = await server((req, res) => {
      const body = req.path.startsWith('/api/v2/admin/webhooks/logs') ? { data: [record] } : [config]
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body))
    })
    const client = createAdminClient({ baseUrl: `${api.url}/api/v2/admin/`, token, auth: 'x-api-token' })

    expect(await client.listConfigs()).toEqual([config])
    expect(await client.listLogs({ status: 'failed', limit: 5 })).toEqual([record])
    expect(api.received.map((r) => r.path)).toEqual(['/api/v2/admin/webhooks/configs', '/api/v2/admin/webhooks/logs?status=failed&limit=5'])
    expect(api.received[0]!.headers['x-api-token']).toBe(token)
  })
})

describe('deliveries from the stand-in', () => {
  const body = Buffer.from('{"event":"reward.earned","timestamp":"2026-04-17T10:00:00.000Z","data":{"reward":{"id":"rw_9"}}}')

  it('signs gen-2 deliveries so that an independent HMAC verifies them, and logs the delivery', async () => {
    const secret = 'whsec_receiver_secret'
    const receiver = await server((req, res) => {
      const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(req.body).digest('hex')}`)
      const given = Buffer.from(String(req.headers['x-nudj-signature']))
      const valid = given.length === expected.length && timingSafeEqual(given, expected)
      res.writeHead(valid ? 204 : 401).end()
    })
    const admin = await standIn()
    const client = createAdminClient({ baseUrl: admin.url, token, auth: 'x-api-token' })
    await client.registerReceiver({ url: `${receiver.url}/nudj`, events: ['reward.earned'], secret, active: true }, { bodyShape: 'array' })
    await client.registerReceiver(
      { url: `${receiver.url}/paused`, events: ['reward.earned'], secret, active: false },
      { bodyShape: 'array' },
    )
    await client.registerReceiver(
      { url: `${receiver.url}/other`, events: ['points.awarded'], secret, active: true },
      { bodyShape: 'array' },
    )

    await admin.emit({ name: 'reward.earned', body, deliveryId: 'dlv_42' })

    expect(receiver.received.map((r) => r.path)).toEqual(['/nudj'])
    const [delivery] = receiver.received
    expect(delivery!.body.equals(body)).toBe(true)
    expect(delivery!.headers).toMatchObject({
      'x-nudj-event': 'reward.earned',
      'x-nudj-delivery-id': 'dlv_42',
      'content-type': 'application/json',
    })
    const logs = (await client.listLogs({ event: 'reward.earned' })) as Gen2LogRecord[]
    expect(logs).toHaveLength(1)
    expect(logs[0]).toMatchObject({
      deliveryId: 'dlv_42',
      event: 'reward.earned',
      url: `${receiver.url}/nudj`,
      status: 'delivered',
      attempts: 1,
      responseStatus: 204,
    })
    expect(logs[0]!.nextAttemptAt).toBeUndefined()
  })

  it('marks a gen-2 delivery failed once its retries are spent', async () => {
    const receiver = await server((_, res) => res.writeHead(503).end('busy'))
    const admin = await standIn({ policies: { gen2: { kind: 'fixed', delayMs: 10, maxRetries: 1 } } })
    const client = createAdminClient({ baseUrl: admin.url, token, auth: 'bearer' })
    await client.putConfigs([{ url: receiver.url, events: ['reward.earned'], secret: 'whsec_c', active: true }], { bodyShape: 'wrapped' })

    await admin.emit({ name: 'reward.earned', body, deliveryId: 'dlv_fail' })

    expect(receiver.received.map((r) => r.headers['x-nudj-delivery-id'])).toEqual(['dlv_fail', 'dlv_fail'])
    expect(await client.listLogs({ status: 'failed' })).toMatchObject([
      { deliveryId: 'dlv_fail', attempts: 2, responseStatus: 503, responseBody: 'busy' },
    ])
    expect(await client.listLogs({ status: 'delivered' })).toEqual([])
  })

  it('writes one gen-1 log row per attempt, with secret headers redacted', async () => {
    const statuses = [500, 200]
    const receiver = await server((_, res) => res.writeHead(statuses.shift() ?? 500).end())
    const admin = await standIn()
    const client = createAdminClient({ baseUrl: admin.url, token, auth: 'x-api-token' })
    const headers = { Authorization: 'Bearer gen1-secret', 'X-Webhook-Source': 'nudj-platform' }
    await client.putConfigs([{ ...existing, url: `${receiver.url}/gen1`, httpMethod: 'PUT', headers }], { bodyShape: 'array' })
    const gen1Body = Buffer.from('{"id":"evt_1","eventCategory":"challenge","eventSubCategory":"challenge-completion","payload":{}}')

    await admin.emit({ name: 'challenge-completion', body: gen1Body, deliveryId: 'unused-by-gen-1' })

    expect(receiver.received).toHaveLength(2)
    for (const request of receiver.received) {
      expect(request.method).toBe('PUT')
      expect(request.headers).toMatchObject({ authorization: 'Bearer gen1-secret', 'x-webhook-source': 'nudj-platform' })
      expect(request.body.equals(gen1Body)).toBe(true)
    }
    const rows = (await client.listLogs({ eventSubCategory: 'challenge-completion' })) as Gen1LogRecord[]
    expect(rows.map((r) => [r.attempt, r.success, r.responseStatus])).toEqual([
      [2, true, 200],
      [1, false, 500],
    ])
    expect(rows[1]).toMatchObject({
      errorMessage: 'HTTP 500: Internal Server Error',
      httpMethod: 'PUT',
      requestHeaders: { Authorization: 'Bearer ***', 'X-Webhook-Source': 'nudj-platform' },
      requestBody: { id: 'evt_1', eventCategory: 'challenge' },
    })
    expect(rows[0]!.webhookConfigId).toBe(rows[1]!.webhookConfigId)
    expect((await client.listLogs({ success: false })).map((r) => (r as Gen1LogRecord).attempt)).toEqual([1])
  })
})

describe('the command line against the stand-in', () => {
  function capture() {
    const lines = { out: [] as string[], err: [] as string[] }
    return { lines, io: { out: (l: string) => lines.out.push(l), err: (l: string) => lines.err.push(l) } }
  }

  it('registers, lists and reads logs with the token from the environment only', async () => {
    const admin = await standIn()
    const dir = await mkdtemp(join(tmpdir(), 'nudj-sim-'))
    cleanups.push(() => rm(dir, { recursive: true }))
    await writeFile(join(dir, 'secret'), 'whsec_from_file\n')
    const env = { NUDJ_ADMIN_TOKEN: token }
    const { lines, io } = capture()
    const base = ['--base-url', admin.url]

    const args = ['--url', 'https://ingest.example/nudj', '--events', 'reward.earned, points.awarded', '--secret-file', join(dir, 'secret')]
    expect(await runWebhooksCommand(['register', ...base, ...args], io, env)).toBe(0)
    expect(
      await runWebhooksCommand(
        ['register', ...base, '--auth', 'bearer', '--url', 'https://crm.example/h', '--events', 'a', '--header', 'X-API-Key: k1'],
        io,
        env,
      ),
    ).toBe(0)
    expect(admin.configs()).toEqual([
      { url: 'https://ingest.example/nudj', events: ['reward.earned', 'points.awarded'], secret: 'whsec_from_file', active: true },
      { url: 'https://crm.example/h', events: ['a'], httpMethod: 'POST', isEnabled: true, maxRetries: 3, headers: { 'X-API-Key': 'k1' } },
    ])
    expect(await runWebhooksCommand(['list', ...base], io, env)).toBe(0)
    expect(JSON.parse(lines.out.at(-1)!)).toMatchObject([{ secret: '***' }, { headers: { 'X-API-Key': '***' } }])
    expect(await runWebhooksCommand(['logs', ...base, '--limit', '10'], io, env)).toBe(0)
    expect(JSON.parse(lines.out.at(-1)!)).toEqual([])
    expect(lines.err).toEqual([])
    expect(lines.out.join('\n')).not.toMatch(/whsec_from_file|k1|tok_admin/)

    expect(await runWebhooksCommand(['list', ...base], io, { NUDJ_ADMIN_TOKEN: 'tok_not_known' })).toBe(1)
    expect(lines.err.at(-1)).toContain('ADMIN_API_UNAUTHORIZED')
    expect(lines.err.join('\n')).not.toContain('tok_not_known')
  })

  it('registers without overwriting: a dry run sends nothing, the same config is not sent again, a changed one needs --replace', async () => {
    const admin = await standIn()
    const dir = await mkdtemp(join(tmpdir(), 'nudj-admin-'))
    cleanups.push(() => rm(dir, { recursive: true }))
    await writeFile(join(dir, 'secret'), 'whsec_registered\n')
    const env = { NUDJ_ADMIN_TOKEN: token }
    const { lines, io } = capture()
    const register = async (...args: string[]) =>
      await runWebhooksCommand(['register', '--base-url', admin.url, '--url', 'https://ingest.example/nudj', ...args], io, env)
    const crm = ['--url', 'https://crm.example/h', '--events', 'a', '--header', 'X-API-Key: k1']
    expect(await runWebhooksCommand(['register', '--base-url', admin.url, ...crm], io, env)).toBe(0)
    const ours = ['--events', 'reward.earned', '--secret-file', join(dir, 'secret')]

    expect(await register(...ours, '--dry-run')).toBe(0)
    expect(lines.out.at(-2)).toBe(
      'dry run: would add https://ingest.example/nudj (gen-2) for reward.earned; the 2 config(s) that would be sent:',
    )
    expect(JSON.parse(lines.out.at(-1)!)).toEqual([
      expect.objectContaining({ url: 'https://crm.example/h', headers: { 'X-API-Key': '***' } }),
      { url: 'https://ingest.example/nudj', events: ['reward.earned'], secret: '***', active: true },
    ])
    expect(admin.puts()).toBe(1)

    expect(await register(...ours)).toBe(0)
    expect(await register(...ours)).toBe(0)
    expect(lines.out.at(-1)).toBe('https://ingest.example/nudj (gen-2) for reward.earned is registered already, exactly so; nothing sent')
    expect(admin.puts()).toBe(2)

    const changed = ['--events', 'reward.earned,points.awarded', '--secret-file', join(dir, 'secret')]
    expect(await register(...changed)).toBe(1)
    expect(lines.err.at(-1)).toContain('a different config for https://ingest.example/nudj exists; --replace changes it')
    expect(lines.err.join('\n')).not.toMatch(/whsec_registered|k1/)
    expect(admin.puts()).toBe(2)
    expect(await register(...changed, '--replace')).toBe(0)
    expect(admin.configs()).toEqual([
      { url: 'https://crm.example/h', events: ['a'], httpMethod: 'POST', isEnabled: true, maxRetries: 3, headers: { 'X-API-Key': 'k1' } },
      { url: 'https://ingest.example/nudj', events: ['reward.earned', 'points.awarded'], secret: 'whsec_registered', active: true },
    ])
  })

  it('runs the stand-in until it is told to stop', async () => {
    const controller = new AbortController()
    const { lines, io } = capture()
    const running = runStandInCommand(['--port', '0'], io, { NUDJ_ADMIN_TOKEN: 'tok_one, tok_two' }, controller.signal)
    const line = await waitFor(() => lines.out.find((l) => l.includes('/api/v2/admin')), { timeoutMs: 5000 })
    const url = /(http:\/\/\S+)/.exec(line)![1]!

    const response = await fetch(`${url}/webhooks/configs`, { headers: { 'x-api-token': 'tok_two' } })
    expect(await response.json()).toEqual({ configs: [] })

    controller.abort()
    expect(await running).toBe(0)
    await expect(fetch(`${url}/webhooks/configs`)).rejects.toThrow()
  })
})

describe('the stand-in playing the platform', () => {
  it('emits simulated events to a receiver registered through the client, as Nudj would, and logs them', async () => {
    const receiver = await server((_, res) => res.writeHead(204).end())
    const controller = new AbortController()
    const lines = { out: [] as string[], err: [] as string[] }
    const io = { out: (l: string) => lines.out.push(l), err: (l: string) => lines.err.push(l) }
    const running = runStandInCommand(
      ['--port', '0', '--emit-rate', '200', '--seed', '3'],
      io,
      { NUDJ_ADMIN_TOKEN: token },
      controller.signal,
    )
    const line = await waitFor(() => lines.out.find((l) => l.includes('/api/v2/admin')), { timeoutMs: 5000 })
    const url = /(http:\/\/\S+)/.exec(line)![1]!

    // Step 1 of Nudj's guide, done with this project: register the receiver.
    const client = createAdminClient({ baseUrl: url, token, auth: 'bearer' })
    const secret = 'whsec_demo'
    await client.registerReceiver(
      { url: `${receiver.url}/webhooks/nudj`, events: ['reward.earned', 'challenge.completed'], secret, active: true },
      { bodyShape: 'array' },
    )

    await waitFor(() => receiver.received.length >= 5, { timeoutMs: 10_000 })
    // The receiver records a request before it answers; the log says delivered only after the answer.
    const delivered = await waitFor(
      async () => {
        const logs = ((await client.listLogs({ status: 'delivered' })) as Gen2LogRecord[]).map((l) => l.deliveryId)
        return logs.length >= 5 ? logs : undefined
      },
      { timeoutMs: 10_000, message: 'fewer than 5 deliveries were logged as delivered' },
    )
    controller.abort()
    expect(await running).toBe(0)

    for (const request of receiver.received) {
      expect(['reward.earned', 'challenge.completed']).toContain(request.headers['x-nudj-event'])
      const expected = `sha256=${createHmac('sha256', secret).update(request.body).digest('hex')}`
      expect(request.headers['x-nudj-signature']).toBe(expected)
    }
    // Each delivery the log calls delivered reached the receiver under its delivery id.
    const ids = new Set(receiver.received.map((r) => r.headers['x-nudj-delivery-id']))
    expect(delivered.length).toBeGreaterThanOrEqual(5)
    expect(delivered.every((id) => ids.has(id))).toBe(true)
  })
})
