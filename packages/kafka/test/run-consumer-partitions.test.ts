// One partition's slow batch must not hold up another's (docs/adr/0004): kafkajs fetches in
// lock-step, so with its batches handled inline the fast partition's records would wait for
// the slow one's release; each batch handled as a task of its own lets them through.
import { produce, waitFor } from '@nudj-webhooks/testing'
import { afterEach, describe, expect, inject, it } from 'vitest'
import { createHarness, effects, type Harness } from './consumer-harness.ts'

const infra = inject('infra')
let harness: Harness | undefined
afterEach(async () => {
  await harness?.close()
  harness = undefined
})

describe('runConsumer with one slow partition', () => {
  it("handles another partition's records while one partition's batch is still in hand", async () => {
    harness = await createHarness(infra, [60_000], 2)
    const slowStarted = Promise.withResolvers<void>()
    const release = Promise.withResolvers<void>()
    const handled: string[] = []
    await harness.start({
      // Far longer than the test: the slow record is released only once the others are handled.
      handlerTimeoutMs: 120_000,
      handler: async (event, ctx) => {
        if (event === 'slow') {
          slowStarted.resolve()
          await release.promise
        }
        await ctx.tx!.query('INSERT INTO effects (webhook_id, value) VALUES ($1, $2)', [ctx.id, event])
        handled.push(event)
      },
    })
    await produce(harness.kafka, harness.topic, [{ key: 'w-slow', value: 'slow', partition: 0 }])
    await slowStarted.promise
    await produce(harness.kafka, harness.topic, [
      { key: 'w-fast-1', value: 'fast-1', partition: 1 },
      { key: 'w-fast-2', value: 'fast-2', partition: 1 },
    ])
    try {
      await waitFor(() => handled.length === 2, { timeoutMs: 20_000 })
    } finally {
      release.resolve()
    }
    expect(handled.slice(0, 2)).toEqual(['fast-1', 'fast-2'])
    await waitFor(async () => (await effects(harness!.pool)).length === 3, { timeoutMs: 20_000 })
    expect(await effects(harness.pool)).toEqual(['w-fast-1=fast-1', 'w-fast-2=fast-2', 'w-slow=slow'])
  })
})
