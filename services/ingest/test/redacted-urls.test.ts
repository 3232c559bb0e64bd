import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { startTestIngest, type TestIngest } from './start-test-ingest.ts'

const infra = inject('infra')
let ingest: TestIngest

beforeAll(async () => {
  ingest = await startTestIngest(infra, { LOG_LEVEL: 'debug' })
})
afterAll(async () => {
  await ingest?.close()
})

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
