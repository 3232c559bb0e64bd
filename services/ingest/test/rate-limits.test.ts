// Rate limits answer 503 with Retry-After, never 429: Nudj retries a 5xx and drops a 4xx.
import { gen2Headers } from '@nudj-webhooks/nudj-sim'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { secrets, startTestIngest, type TestIngest } from './start-test-ingest.ts'

const infra = inject('infra')
let ingest: TestIngest

beforeAll(async () => {
  ingest = await startTestIngest(infra, { INGEST_RATE_LIMIT_PER_SOURCE: '0.1', INGEST_RETRY_AFTER_SECONDS: '7' })
})
afterAll(async () => {
  await ingest.close()
})

describe('ingest rate limits', () => {
  it('answers a source over its limit 503 RATE_LIMITED with Retry-After, and stores only what it accepted', async () => {
    const answers = []
    for (let i = 0; i < 6; i++) {
      const body = Buffer.from(
        `{"event":"points.awarded","timestamp":"${new Date().toISOString()}","data":{"user":{"id":"u"},"points":{"amount":${i}}}}`,
      )
      const response = await ingest.app.inject({
        method: 'POST',
        url: '/webhooks/nudj/acme',
        headers: gen2Headers({ body, secret: secrets.current, event: 'points.awarded', deliveryId: `dlv-limit-${i}` }),
        payload: body,
      })
      answers.push({
        status: response.statusCode,
        code: response.json<{ code?: string }>().code,
        retryAfter: response.headers['retry-after'],
      })
    }
    // 0.1 per second: a burst of one, the next token ten seconds later, so the timing of
    // the requests cannot change the outcome.
    expect(answers[0]?.status).toBe(200)
    expect(answers.slice(1)).toEqual(Array(5).fill({ status: 503, code: 'RATE_LIMITED', retryAfter: '7' }))
    expect(await ingest.countRecords('points')).toBe(1)
    const metrics = await (await fetch(`${ingest.opsAddress}/metrics`)).text()
    expect(metrics).toMatch(/webhooks_ingest_shed_total\{reason="rate-limit",service="ingest"\} 5/)
  })
})
