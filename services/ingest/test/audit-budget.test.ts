import { waitFor } from '@nudj-webhooks/testing'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { startTestIngest, type TestIngest } from './start-test-ingest.ts'

const infra = inject('infra')
let ingest: TestIngest

beforeAll(async () => {
  ingest = await startTestIngest(infra, { INGEST_AUDIT_PER_SECOND: '5' })
})
afterAll(async () => {
  await ingest?.close()
})

async function dropped(): Promise<number> {
  const metrics = await (await fetch(`${ingest.opsAddress}/metrics`)).text()
  return Number(/^webhooks_ingest_audit_dropped_total\{[^}]*\} (\d+)/m.exec(metrics)?.[1] ?? 0)
}

describe('the rejection audit under a flood of made-up sources', () => {
  it('spends one budget on every unknown source name, so a flood adds a handful of audit records', async () => {
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
    const refused = await dropped()
    expect(refused).toBeGreaterThanOrEqual(100 - allowed)
    // What was not refused reaches the audit topic (published without waiting for it).
    await waitFor(async () => (await ingest.countRecords('rejected')) === 100 - refused, {
      timeoutMs: 20_000,
      message: 'the audit topic does not hold the records that were allowed',
    })
  })
})
