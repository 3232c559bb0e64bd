// Hostile handlers and statements: each ends in a retry tier or the DLQ with a precise code,
// the rest of the partition flows on, nothing is lost and nothing is applied twice.
import { setTimeout as sleep } from 'node:timers/promises'
import { waitFor } from '@nudj-webhooks/testing'
import type pg from 'pg'
import { afterEach, describe, expect, inject, it } from 'vitest'
import { provenanceHeaders as h } from '../src/group-topics.ts'
import { createHarness, effects, type Harness } from './consumer-harness.ts'

const infra = inject('infra')
let harness: Harness | undefined
afterEach(async () => {
  await harness?.close()
  harness = undefined
})

const insert = async (tx: pg.PoolClient | undefined, id: string, value: string): Promise<void> => {
  await tx!.query('INSERT INTO effects (webhook_id, value) VALUES ($1, $2)', [id, value])
}
const forever = async (): Promise<never> => await new Promise<never>(() => undefined)

/** Sessions of the test's database other than the asking one that are in a transaction or running a statement. */
async function busySessions(pool: pg.Pool): Promise<number> {
  const { rows } = await pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_stat_activity
     WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend' AND state <> 'idle'`,
  )
  return rows[0]?.n ?? -1
}

describe('runConsumer handler timeout', () => {
  it('moves records whose handler ignores its signal and never finishes to the retry tier (HANDLER_TIMEOUT), rolls back what they wrote and leaks no connection', async () => {
    // A long tier: every record seen there is a first attempt, and none is retried during the test.
    harness = await createHarness(infra, [60_000], 1)
    const consumer = await harness.start({
      handlerTimeoutMs: 300,
      handler: async (event, ctx) => {
        await insert(ctx.tx, ctx.id, event)
        // Ignores ctx.signal: the runtime must stop waiting and abandon the transaction.
        if (event.startsWith('hang')) await forever()
      },
    })
    await waitFor(() => consumer.isReady(), { timeoutMs: 20_000, message: 'the consumer did not join its groups' })
    // More hanging records than the pool has connections (10): an abandoned transaction that
    // kept its connection would leave none for the good records after them.
    const hanging = Array.from({ length: 12 }, (_, i) => ({ key: `h${i}`, value: `hang${i}` }))
    const good = Array.from({ length: 5 }, (_, i) => ({ key: `g${i}`, value: `good${i}` }))
    await harness.send([...hanging, ...good])

    const retried = await harness.readRetry(60_000, 12)
    // A set: delivery is at least once, a rejoin could move one again.
    expect(new Set(retried.map((r) => r.key))).toEqual(new Set(hanging.map((r) => r.key)))
    for (const record of retried)
      expect(record.headers).toMatchObject({
        [h.attempt]: '1',
        [h.errorCode]: 'HANDLER_TIMEOUT',
        [h.errorMessage]: 'the handler did not finish within 300 ms',
        [h.originTopic]: harness.topic,
      })
    await waitFor(async () => (await effects(harness!.pool)).length === 5, {
      timeoutMs: 20_000,
      message: 'the good records were not applied',
    })
    // The hanging handlers' inserts were rolled back with their abandoned transactions.
    expect(await effects(harness.pool)).toEqual(['g0=good0', 'g1=good1', 'g2=good2', 'g3=good3', 'g4=good4'])
    await waitFor(async () => (await busySessions(harness!.pool)) === 0, {
      timeoutMs: 10_000,
      message: 'an abandoned transaction is still open on the server',
    })
  })

  it('cancels the statement of an abandoned transaction, so its row locks go at once and the retry applies the record once', async () => {
    // No statement_timeout here: only the runtime's cancel ends the first attempt's pg_sleep.
    harness = await createHarness(infra, [200, 400], 1)
    const attempts: number[] = []
    await harness.start({
      handlerTimeoutMs: 300,
      handler: async (event, ctx) => {
        attempts.push(ctx.attempt)
        // The ledger row of this id is locked by this transaction while it sleeps.
        if (ctx.attempt === 1) await ctx.tx!.query('SELECT pg_sleep(600)')
        await insert(ctx.tx, ctx.id, event)
      },
    })
    await harness.send([{ key: 'z', value: 'sleeper' }])
    await waitFor(async () => (await effects(harness!.pool)).length === 1, { timeoutMs: 20_000, message: 'the retry was never applied' })
    expect(await effects(harness.pool)).toEqual(['z=sleeper'])
    // Applied on its first retry: the abandoned attempt's lock did not outlast the tier.
    expect(new Set(attempts)).toEqual(new Set([1, 2]))
    await waitFor(async () => (await busySessions(harness!.pool)) === 0, {
      timeoutMs: 10_000,
      message: 'the abandoned pg_sleep is still running',
    })
  })

  it('sends a record that times out on every attempt through the tiers to the DLQ with HANDLER_TIMEOUT; the partition flows on', async () => {
    harness = await createHarness(infra, [200, 400], 1)
    await harness.start({
      handlerTimeoutMs: 300,
      handler: async (event, ctx) => {
        // Heeds its signal, as a fetch given ctx.signal would.
        if (event === 'slow')
          await new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(new Error('The operation was aborted'))))
        await insert(ctx.tx, ctx.id, event)
      },
    })
    await harness.send([{ key: 's', value: 'slow' }, ...Array.from({ length: 3 }, (_, i) => ({ key: `g${i}`, value: `good${i}` }))])
    const [retried] = await harness.readRetry(200, 1)
    expect(retried).toMatchObject({ key: 's', value: 'slow', headers: { [h.attempt]: '1', [h.errorCode]: 'HANDLER_TIMEOUT' } })
    const [dead] = await harness.readDlq(1)
    expect(dead).toMatchObject({
      key: 's',
      value: 'slow',
      headers: { [h.attempt]: '3', [h.errorCode]: 'HANDLER_TIMEOUT', [h.errorMessage]: 'the handler did not finish within 300 ms' },
    })
    expect(await effects(harness.pool)).toEqual(['g0=good0', 'g1=good1', 'g2=good2'])
  })

  it('abandons a batch transaction that hangs, keeps none of its writes, and applies its other records once each', async () => {
    harness = await createHarness(infra, [60_000], 1)
    const batches: string[][] = []
    // Sent before the consumer starts, so that its first fetch is one batch of all six.
    await harness.send([{ key: 'h', value: 'hang' }, ...Array.from({ length: 5 }, (_, i) => ({ key: `b${i}`, value: `v${i}` }))])
    await harness.start({
      handlerTimeoutMs: 500,
      batchHandler: async (items, ctx) => {
        batches.push(items.map((i) => i.event))
        for (const item of items) await insert(ctx.tx, item.id, item.event)
        if (items.some((i) => i.event === 'hang')) await forever()
      },
      handler: async (event, ctx) => {
        await insert(ctx.tx, ctx.id, event)
        if (event === 'hang') await forever()
      },
    })
    const [retried] = await harness.readRetry(60_000, 1)
    expect(retried).toMatchObject({ key: 'h', headers: { [h.attempt]: '1', [h.errorCode]: 'HANDLER_TIMEOUT' } })
    await waitFor(async () => (await effects(harness!.pool)).length === 5, {
      timeoutMs: 20_000,
      message: 'the other records were not applied',
    })
    expect(batches[0]).toEqual(['hang', 'v0', 'v1', 'v2', 'v3', 'v4'])
    expect(await effects(harness.pool)).toEqual(['b0=v0', 'b1=v1', 'b2=v2', 'b3=v3', 'b4=v4'])
    const { rows } = await harness.pool.query<{ webhook_id: string }>('SELECT webhook_id FROM consumer_ledger ORDER BY webhook_id')
    expect(rows.map((r) => r.webhook_id)).toEqual(['b0', 'b1', 'b2', 'b3', 'b4'])
  })
})

describe('runConsumer with slow handlers', () => {
  it('keeps its group membership through a batch that outlasts the session timeout, handling each record once', async () => {
    harness = await createHarness(infra, [60_000], 1)
    const calls: string[] = []
    // Five records of 2.5 s each, under the handler timeout, in one batch: 12.5 s, twice the session.
    await harness.send(Array.from({ length: 5 }, (_, i) => ({ key: `s${i}`, value: `slow${i}` })))
    await harness.start({
      sessionTimeoutMs: 6_000,
      handlerTimeoutMs: 10_000,
      handler: async (event, ctx) => {
        calls.push(ctx.id)
        await sleep(2_500, undefined, { signal: ctx.signal })
        await insert(ctx.tx, ctx.id, event)
      },
    })
    const admin = harness.kafka.admin()
    await admin.connect()
    try {
      const committed = async (): Promise<string | undefined> =>
        (await admin.fetchOffsets({ groupId: harness!.group, topics: [harness!.topic] }))[0]?.partitions[0]?.offset
      await waitFor(async () => (await committed()) === '5', { timeoutMs: 40_000, message: 'the batch was never committed' })
    } finally {
      await admin.disconnect()
    }
    expect(await effects(harness.pool)).toEqual(['s0=slow0', 's1=slow1', 's2=slow2', 's3=slow3', 's4=slow4'])
    // Had the member been dropped from its group, the uncommitted records would have run again.
    expect(calls).toEqual(['s0', 's1', 's2', 's3', 's4'])
    // One join each for the main and the retry consumer, no rejoin.
    expect(await harness.registry.getSingleMetricAsString('webhooks_consumer_rebalances_total')).toMatch(/\} 2$/m)
  }, 60_000)
})

describe('runConsumer under a Postgres statement_timeout', () => {
  it('retries a statement cancelled by statement_timeout (STATEMENT_TIMEOUT), then the DLQ; nothing is lost or applied twice', async () => {
    harness = await createHarness(infra, [200, 400], 1, { statementTimeoutMs: 300 })
    const sleep = async (tx: pg.PoolClient | undefined): Promise<void> => {
      await tx!.query('SELECT pg_sleep(5)')
    }
    // Sleepy on every attempt; drowsy on the first only; the rest fast. Batches too.
    const sleeps = (event: string, attempt: number): boolean => event === 'sleepy' || (event === 'drowsy' && attempt === 1)
    await harness.send([
      { key: 's', value: 'sleepy' },
      { key: 'd', value: 'drowsy' },
      ...Array.from({ length: 3 }, (_, i) => ({ key: `g${i}`, value: `good${i}` })),
    ])
    await harness.start({
      batchHandler: async (items, ctx) => {
        for (const item of items) await insert(ctx.tx, item.id, item.event)
        if (items.some((i) => sleeps(i.event, 1))) await sleep(ctx.tx)
      },
      handler: async (event, ctx) => {
        await insert(ctx.tx, ctx.id, event)
        if (sleeps(event, ctx.attempt)) await sleep(ctx.tx)
      },
    })
    const retried = await harness.readRetry(200, 2)
    expect(Object.fromEntries(retried.map((r) => [r.key, r.headers[h.errorCode]]))).toEqual({
      s: 'STATEMENT_TIMEOUT',
      d: 'STATEMENT_TIMEOUT',
    })
    const [dead] = await harness.readDlq(1)
    expect(dead).toMatchObject({
      key: 's',
      value: 'sleepy',
      headers: {
        [h.attempt]: '3',
        [h.errorCode]: 'STATEMENT_TIMEOUT',
        [h.errorMessage]: 'canceling statement due to statement timeout',
      },
    })
    await waitFor(async () => (await effects(harness!.pool)).length === 4, { timeoutMs: 20_000, message: 'drowsy was never applied' })
    expect(await effects(harness.pool)).toEqual(['d=drowsy', 'g0=good0', 'g1=good1', 'g2=good2'])
  })
})
