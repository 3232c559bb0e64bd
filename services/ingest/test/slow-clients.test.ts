import { connect, type Socket } from 'node:net'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { startTestIngest, type TestIngest } from './start-test-ingest.ts'

// A client that sends its request a byte at a time (slowloris) holds a socket and a request
// slot for as long as the server lets it: INGEST_REQUEST_TIMEOUT bounds the whole request.
const infra = inject('infra')
let ingest: TestIngest

beforeAll(async () => {
  ingest = await startTestIngest(infra, { INGEST_REQUEST_TIMEOUT: '2s' })
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
