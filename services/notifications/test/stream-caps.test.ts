import { waitFor } from '@nudj-webhooks/testing'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import type { RunningNotifications } from '../src/start-notifications.ts'
import { createSuite, startInProcess, tokenFor, users, type Suite } from './harness.ts'
import { openStream, type OpenStream } from './open-stream.ts'

const infra = inject('infra')
let suite: Suite
let service: RunningNotifications
const open: OpenStream[] = []

// The client address comes from X-Forwarded-For: the test's loopback connection is the trusted proxy.
const streamFrom = async (userId: string, address: string): Promise<OpenStream> => {
  const stream = await openStream(`${service.address}/v1/users/${userId}/notifications/stream`, {
    token: tokenFor(userId),
    headers: { 'x-forwarded-for': address },
  })
  open.push(stream)
  return stream
}
/** A refused request's status, Retry-After and code. */
const refusal = async (userId: string, address: string) => {
  const response = await fetch(`${service.address}/v1/users/${userId}/notifications/stream`, {
    headers: { authorization: `Bearer ${tokenFor(userId)}`, 'x-forwarded-for': address },
  })
  return {
    status: response.status,
    retryAfter: response.headers.get('retry-after'),
    code: ((await response.json()) as { code: string }).code,
  }
}
const connections = async (): Promise<number> => {
  const metrics = await (await fetch(`${service.opsAddress}/metrics`)).text()
  return Number(/^webhooks_notifications_sse_connections(?:\{[^}]*\})? (\d+)$/m.exec(metrics)?.[1])
}

beforeAll(async () => {
  suite = await createSuite(infra)
  service = await startInProcess(infra, suite, {
    NOTIFICATIONS_MAX_STREAMS: '4',
    NOTIFICATIONS_MAX_STREAMS_PER_USER: '2',
    NOTIFICATIONS_MAX_STREAMS_PER_ADDRESS: '2',
    NOTIFICATIONS_TRUSTED_PROXIES: '127.0.0.1',
  })
}, 180_000)
afterAll(async () => {
  for (const stream of open) stream.close()
  await service?.close()
  await suite?.database.drop()
})

describe('SSE stream caps', () => {
  it('answers 429 past the per-user and per-address caps, 503 past the total, and frees a slot when a stream closes', async () => {
    const [a, b, c, d] = users.map((u) => u.id) as [string, string, string, string]
    const first = await streamFrom(a, '10.0.0.1')
    expect(first.status).toBe(200)
    expect((await streamFrom(a, '10.0.0.2')).status).toBe(200)

    expect(await refusal(a, '10.0.0.3')).toEqual({ status: 429, retryAfter: '30', code: 'TOO_MANY_STREAMS_FOR_USER' })

    expect((await streamFrom(b, '10.0.0.1')).status).toBe(200)
    expect(await refusal(c, '10.0.0.1')).toEqual({ status: 429, retryAfter: '30', code: 'TOO_MANY_STREAMS_FROM_ADDRESS' })

    expect((await streamFrom(c, '10.0.0.4')).status).toBe(200)
    expect(await refusal(d, '10.0.0.5')).toEqual({ status: 503, retryAfter: '5', code: 'TOO_MANY_STREAMS' })
    expect(await connections()).toBe(4)

    // Closing one stream frees its slot once the server has seen the close.
    first.close()
    await waitFor(async () => (await connections()) === 3, { timeoutMs: 10_000, message: 'the closed stream kept its slot' })
    expect((await streamFrom(d, '10.0.0.5')).status).toBe(200)
    expect(await connections()).toBe(4)
  })

  it('takes no slot for a refused token', async () => {
    const stream = await openStream(`${service.address}/v1/users/${users[5]!.id}/notifications/stream`, {
      token: tokenFor(users[6]!.id),
      headers: { 'x-forwarded-for': '10.0.0.9' },
    })
    expect(stream.status).toBe(403)
    expect(await connections()).toBe(4)
  })
})
