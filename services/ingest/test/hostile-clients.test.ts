import { connect, type Socket } from 'node:net'
import { waitFor } from '@nudj-webhooks/testing'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { startTestIngest, type TestIngest } from './start-test-ingest.ts'

// Hostile clients against one real ingest: a request must arrive whole within 2 s (slowloris),
// rejections are audited at 5/s, and every log line is kept (debug) to be searched.
const infra = inject('infra')
let ingest: TestIngest

beforeAll(async () => {
  ingest = await startTestIngest(infra, { INGEST_REQUEST_TIMEOUT: '2s', INGEST_AUDIT_PER_SECOND: '5', LOG_LEVEL: 'debug' })
})
afterAll(async () => {
  await ingest?.close()
})

/** Opens a connection, writes `head`, then one byte of `drip` every 200 ms until the server closes it. */
async function trickle(head: string, drip: string): Promise<{ answer: string; bytesSent: number }> {
  const { hostname, port } = new URL(ingest.address)
  const socket: Socket = connect({ host: hostname, port: Number(port) })
  let answer = ''
  let bytesSent = 0
  socket.on('data', (chunk: Buffer) => (answer += chunk.toString()))
  socket.on('error', () => undefined) // a reset after the 408 is the server doing its job
  const timer = setInterval(() => {
    if (socket.writable && bytesSent < drip.length) socket.write(drip[bytesSent++] ?? '')
  }, 200)
  socket.write(head)
  // The test's own bound: far beyond the 2 s the server is configured with.
  const closed = await Promise.race([
    new Promise<boolean>((resolve) => socket.once('close', () => resolve(true))),
    new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 20_000)),
  ])
  clearInterval(timer)
  socket.destroy()
  expect(closed).toBe(true)
  return { answer, bytesSent }
}

async function dropped(): Promise<number> {
  const metrics = await (await fetch(`${ingest.opsAddress}/metrics`)).text()
  return Number(/^webhooks_ingest_audit_dropped_total\{[^}]*\} (\d+)/m.exec(metrics)?.[1] ?? 0)
}

describe('query strings in what ingest records', () => {
  it('keeps a credential sent in the query string out of the rejection audit and the logs', async () => {
    const credential = 'query-credential-0123456789'
    const response = await ingest.app.inject({
      method: 'POST',
      url: `/webhooks/nudj/hmaconly?token=${credential}&x=1`,
      headers: { 'content-type': 'application/json', 'x-nudj-delivery-id': 'dlv-query-token' },
      payload: '{"event":"reward.earned"}',
    })
    expect(response.statusCode).toBe(401)
    const [audit] = await ingest.readRejected(1)
    expect(audit?.rejection.path).toBe('/webhooks/nudj/hmaconly?token=[redacted]&x=[redacted]')
    expect(JSON.stringify(audit)).not.toContain(credential)
    expect(ingest.logLines.join('\n')).not.toContain(credential)
  })
})

describe('the rejection audit under a flood of made-up sources', () => {
  it('spends one budget on every unknown source name, so a flood adds a handful of audit records', async () => {
    const [recordsBefore, droppedBefore] = [await ingest.countRecords('rejected'), await dropped()]
    const began = performance.now()
    for (let i = 0; i < 100; i++) {
      const response = await ingest.app.inject({
        method: 'POST',
        url: `/webhooks/nudj/made-up-${i}`,
        headers: { 'content-type': 'application/json' },
        payload: '{}',
      })
      expect(response.statusCode).toBe(404)
    }
    const seconds = (performance.now() - began) / 1000
    // A burst of 5, then 5 a second: what one budget allows over the time the flood took.
    const allowed = Math.floor(5 + 5 * seconds)
    const refused = (await dropped()) - droppedBefore
    expect(refused).toBeGreaterThanOrEqual(100 - allowed)
    // What was not refused reaches the audit topic (published without waiting for it).
    await waitFor(async () => (await ingest.countRecords('rejected')) - recordsBefore === 100 - refused, {
      timeoutMs: 20_000,
      message: 'the audit topic does not hold the records that were allowed',
    })
  })
})

describe('ingest against slow clients', () => {
  it('answers 408 and closes a connection whose body trickles in', async () => {
    const { answer, bytesSent } = await trickle(
      'POST /webhooks/nudj/acme HTTP/1.1\r\nHost: ingest\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{',
      'x'.repeat(499),
    )
    expect(answer).toMatch(/^HTTP\/1\.1 408 /)
    expect(bytesSent).toBeLessThan(499)
  })

  it('answers 408 and closes a connection whose headers never end', async () => {
    const { answer } = await trickle('POST /webhooks/nudj/acme HTTP/1.1\r\nHost: ingest\r\n', 'X-Slow: ' + 'y'.repeat(400))
    expect(answer).toMatch(/^HTTP\/1\.1 408 /)
  })

  it('still answers a client that sends at an ordinary pace', async () => {
    const response = await fetch(`${ingest.address}/webhooks/nudj/acme`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    })
    // Unsigned: refused for what it is, not for how it was sent.
    expect(response.status).toBe(401)
  })
})
