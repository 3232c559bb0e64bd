import { afterEach, describe, expect, it } from 'vitest'
import { deliver } from '../src/deliver.ts'
import type { DeliveryRequest } from '../src/deliver.ts'
import type { RetryPolicy } from '../src/retry-policy.ts'
import { gen2Headers } from '../src/sign-delivery.ts'
import { closedPortUrl, startServer } from './start-server.ts'
import type { TestServer } from './start-server.ts'

const fast: RetryPolicy = { kind: 'fixed', delayMs: 10, maxRetries: 2 }
const body = Buffer.from('{"event":"reward.earned","timestamp":"2026-04-17T10:00:00.000Z","data":{"reward":{"id":"rw_1"}}}')

const servers: TestServer[] = []
async function server(respond: Parameters<typeof startServer>[0]): Promise<TestServer> {
  const started = await startServer(respond)
  servers.push(started)
  return started
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()))
})

function request(url: string, overrides: Partial<DeliveryRequest> = {}): DeliveryRequest {
  const headers = gen2Headers({ body, secret: 'whsec_test', event: 'reward.earned', deliveryId: 'dlv_stable_1' })
  return { url, method: 'POST', headers, body, ...overrides }
}

describe('deliver', () => {
  it('retries 5xx answers with the same delivery id and body until a 2xx acknowledges', async () => {
    const statuses = [503, 500, 200]
    const receiver = await server((_, res) => res.writeHead(statuses.shift() ?? 500).end('ok'))

    const result = await deliver(request(`${receiver.url}/hooks`), { policy: fast, timeoutMs: 2000 })

    expect(result.outcome).toBe('acknowledged')
    expect(result.status).toBe(200)
    expect(result.attempts.map((a) => [a.attempt, a.status, a.retryable])).toEqual([
      [1, 503, true],
      [2, 500, true],
      [3, 200, false],
    ])
    expect(receiver.received).toHaveLength(3)
    for (const received of receiver.received) {
      expect(received.method).toBe('POST')
      expect(received.headers['x-nudj-delivery-id']).toBe('dlv_stable_1')
      expect(received.headers['x-nudj-signature']).toBe(receiver.received[0]!.headers['x-nudj-signature'])
      expect(received.body.equals(body)).toBe(true)
    }
  })

  it('gives up with the last status once the policy is spent', async () => {
    const receiver = await server((_, res) => res.writeHead(502).end('bad gateway'))

    const result = await deliver(request(receiver.url), { policy: { kind: 'fixed', delayMs: 10, maxRetries: 1 }, timeoutMs: 2000 })

    expect(result.outcome).toBe('gave-up')
    expect(result.status).toBe(502)
    expect(result.attempts).toHaveLength(2)
    expect(receiver.received).toHaveLength(2)
  })

  it('never retries a 4xx and keeps the start of the response body', async () => {
    const receiver = await server((_, res) =>
      res.writeHead(400, { 'content-type': 'text/plain' }).end(`invalid signature ${'x'.repeat(600)}`),
    )

    const result = await deliver(request(receiver.url, { method: 'PUT' }), { policy: fast, timeoutMs: 2000 })

    expect(result.outcome).toBe('rejected')
    expect(result.status).toBe(400)
    expect(result.attempts).toHaveLength(1)
    expect(result.attempts[0]!.responseBody).toHaveLength(500)
    expect(result.attempts[0]!.responseBody).toMatch(/^invalid signature x+$/)
    expect(result.attempts[0]!.responseHeaders?.['content-type']).toBe('text/plain')
    expect(receiver.received.map((r) => r.method)).toEqual(['PUT'])
  })

  it('retries attempts that time out, then gives up', async () => {
    const silent = await server(() => undefined)

    const result = await deliver(request(silent.url), { policy: fast, timeoutMs: 100 })

    expect(result.outcome).toBe('gave-up')
    expect(result.status).toBeUndefined()
    expect(result.attempts.map((a) => [a.attempt, a.error, a.retryable])).toEqual([
      [1, 'timed out after 100 ms', true],
      [2, 'timed out after 100 ms', true],
      [3, 'timed out after 100 ms', true],
    ])
    // The server records a request once it has read all of it; on a stalled event loop the
    // 100 ms abort can come first, so not every attempt is recorded.
    expect(silent.received.length).toBeGreaterThanOrEqual(1)
    expect(silent.received.length).toBeLessThanOrEqual(3)
  })

  it('does not follow a redirect and treats it as permanent', async () => {
    const receiver = await server((req, res) => {
      if (req.path === '/moved') res.writeHead(302, { location: '/target' }).end()
      else res.writeHead(200).end('target')
    })

    const result = await deliver(request(`${receiver.url}/moved`), { policy: fast, timeoutMs: 2000 })

    expect(result.outcome).toBe('rejected')
    expect(result.status).toBe(302)
    expect(result.attempts).toHaveLength(1)
    expect(receiver.received.filter((r) => r.path === '/target')).toHaveLength(0)
    expect(receiver.received.map((r) => r.path)).toEqual(['/moved'])
  })

  it('retries connection errors', async () => {
    const url = await closedPortUrl()

    const result = await deliver(request(url), { policy: fast, timeoutMs: 2000 })

    expect(result.outcome).toBe('gave-up')
    expect(result.attempts).toHaveLength(3)
    for (const attempt of result.attempts) {
      expect(attempt.error).toMatch(/ECONNREFUSED/)
      expect(attempt.retryable).toBe(true)
    }
  })

  it('stops at once when the caller aborts during a retry wait', { timeout: 5000 }, async () => {
    const receiver = await server((_, res) => res.writeHead(503).end())
    const controller = new AbortController()
    const slow: RetryPolicy = { kind: 'fixed', delayMs: 10 * 60_000, maxRetries: 3 }

    const result = await deliver(request(receiver.url), {
      policy: slow,
      timeoutMs: 2000,
      signal: controller.signal,
      onAttempt: (_, nextDelayMs) => {
        if (nextDelayMs !== undefined) controller.abort()
      },
    })

    expect(result.outcome).toBe('aborted')
    expect(result.attempts).toHaveLength(1)
    expect(receiver.received).toHaveLength(1)
  })

  it('stops at once when the caller aborts during an attempt', { timeout: 5000 }, async () => {
    const controller = new AbortController()
    const silent = await server(() => controller.abort())

    const result = await deliver(request(silent.url), { policy: fast, timeoutMs: 60_000, signal: controller.signal })

    expect(result.outcome).toBe('aborted')
    expect(result.attempts.map((a) => [a.error, a.retryable])).toEqual([['aborted by the caller', false]])
  })

  it('does not start when the signal is already aborted', async () => {
    const receiver = await server((_, res) => res.writeHead(200).end())

    const result = await deliver(request(receiver.url), { policy: fast, timeoutMs: 2000, signal: AbortSignal.abort() })

    expect(result).toEqual({ outcome: 'aborted', attempts: [] })
    expect(receiver.received).toHaveLength(0)
  })
})
