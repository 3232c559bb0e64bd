// How a consumer service is observed: the runtime's metrics and readiness on an ops server.
import { createLogger, startOpsServer } from '@nudj-webhooks/observability'
import { waitFor } from '@nudj-webhooks/testing'
import { afterEach, describe, expect, inject, it } from 'vitest'
import { createHarness, type Harness } from './consumer-harness.ts'

const infra = inject('infra')
let harness: Harness | undefined
afterEach(async () => {
  await harness?.close()
  harness = undefined
})

describe('a consumer behind an ops server', () => {
  it('is ready once it joined, and /metrics shows its outcomes and lag', async () => {
    harness = await createHarness(infra, [200], 1)
    const consumer = await harness.start({ handler: async () => undefined, effect: 'none' })
    const ops = await startOpsServer({
      host: '127.0.0.1',
      port: 0,
      registry: harness.registry,
      logger: createLogger({ service: 'test', version: 'test', level: 'silent' }),
      readiness: [{ name: 'consumer', check: async () => consumer.isReady() }],
    })
    try {
      await waitFor(async () => (await fetch(`${ops.url}/readyz`)).status === 200, { timeoutMs: 15_000 })
      expect((await fetch(`${ops.url}/livez`)).status).toBe(200)
      await harness.send([{ key: 'm1', value: 'x' }])
      // Processed first, committed right after: wait for both.
      await waitFor(
        async () => {
          const text = await (await fetch(`${ops.url}/metrics`)).text()
          return text.includes('outcome="processed"') && text.includes('webhooks_consumer_last_commit_timestamp_seconds{')
        },
        { timeoutMs: 15_000 },
      )
      // effect 'none' has no ledger, so a redelivery after a rebalance may count twice.
      const metrics = await (await fetch(`${ops.url}/metrics`)).text()
      expect(metrics).toMatch(
        new RegExp(
          `webhooks_consumer_messages_total\\{group="${harness.group}",topic="${harness.topic}",outcome="processed",service="test"\\} [1-9]`,
        ),
      )
      expect(metrics).toMatch(/webhooks_consumer_lag_messages\{/)
      expect(metrics).toMatch(/webhooks_consumer_last_commit_timestamp_seconds\{/)
      await consumer.close()
      expect((await fetch(`${ops.url}/readyz`)).status).toBe(503)
    } finally {
      await ops.close()
    }
  })
})
