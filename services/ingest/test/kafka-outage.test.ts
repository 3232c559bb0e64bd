// The broker goes away under a running ingest: requests get 503 with Retry-After (so
// Nudj delivers again), and once the broker is back ingest answers 200 again by itself.
import { gen2Headers } from '@nudj-webhooks/nudj-sim'
import { startDisposableKafka, waitFor, type DisposableKafka } from '@nudj-webhooks/testing'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { secrets, startTestIngest, type TestIngest } from './start-test-ingest.ts'

const infra = inject('infra')
let kafka: DisposableKafka
let ingest: TestIngest

beforeAll(async () => {
  kafka = await startDisposableKafka()
  ingest = await startTestIngest(
    { ...infra, kafkaBrokers: kafka.brokers },
    { INGEST_PRODUCE_TIMEOUT: '1s', INGEST_MAX_PENDING_RECORDS: '50' },
  )
}, 180_000)
afterAll(async () => {
  await ingest.close()
  await kafka.close()
}, 120_000)

let sequence = 0
async function deliver(): Promise<{ status: number; code?: string; retryAfter?: string; id: string }> {
  const id = `dlv-outage-${++sequence}`
  const body = Buffer.from(
    `{"event":"points.awarded","timestamp":"${new Date().toISOString()}","data":{"user":{"id":"u1"},"points":{"amount":${sequence}}}}`,
  )
  const response = await fetch(`${ingest.address}/webhooks/nudj/acme`, {
    method: 'POST',
    headers: gen2Headers({ body, secret: secrets.current, event: 'points.awarded', deliveryId: id }),
    body,
    signal: AbortSignal.timeout(10_000),
  })
  const json = (await response.json()) as { code?: string }
  return { status: response.status, code: json.code, retryAfter: response.headers.get('retry-after') ?? undefined, id }
}

describe('ingest while Kafka is down', () => {
  it('answers 503 with Retry-After during the outage and 200 again after it, losing no acknowledged record', async () => {
    const accepted: string[] = []
    const before = await deliver()
    expect(before.status).toBe(200)
    accepted.push(before.id)

    await kafka.stop()
    const during = await deliver()
    expect(during).toMatchObject({ status: 503, retryAfter: '5' })
    expect(['KAFKA_TIMEOUT', 'KAFKA_UNAVAILABLE', 'OVERLOADED']).toContain(during.code)

    await kafka.start()
    const after = await waitFor(
      async () => {
        const answer = await deliver()
        return answer.status === 200 ? answer : undefined
      },
      { timeoutMs: 90_000, intervalMs: 500, message: 'ingest did not answer 200 within 90 s of the broker coming back' },
    )
    accepted.push(after.id)

    // Every acknowledged delivery is there (the one refused during the outage may be too:
    // a duplicate after Nudj's retry, which consumers drop by webhook id).
    const stored = new Set((await ingest.read('points', accepted)).map((r) => r.key))
    expect(accepted.filter((id) => !stored.has(id))).toEqual([])
  }, 180_000)
})
