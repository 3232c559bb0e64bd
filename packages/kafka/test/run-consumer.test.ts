import { waitFor } from '@nudj-webhooks/testing'
import { afterEach, describe, expect, inject, it } from 'vitest'
import { DependencyDownError, FatalError, RetryableError } from '../src/errors.ts'
import { provenanceHeaders as h } from '../src/group-topics.ts'
import { createHarness, effects, type Harness } from './consumer-harness.ts'

const infra = inject('infra')
let harness: Harness | undefined
afterEach(async () => {
  await harness?.close()
  harness = undefined
})

const insert = async (
  tx: { query: (q: string, v: unknown[]) => Promise<unknown> } | undefined,
  id: string,
  value: string,
): Promise<void> => {
  await tx!.query('INSERT INTO effects (webhook_id, value) VALUES ($1, $2)', [id, value])
}

describe('runConsumer', () => {
  it('retries a transient failure through the tiers and applies the effect exactly once', async () => {
    harness = await createHarness(infra, [200, 400])
    const attempts: number[] = []
    await harness.start({
      handler: async (event, ctx) => {
        attempts.push(ctx.attempt)
        if (ctx.attempt < 3) throw new RetryableError('FLAKY', `attempt ${ctx.attempt} fails`)
        await insert(ctx.tx, ctx.id, event)
      },
    })
    await harness.send([{ key: 'w1', value: 'hello' }])
    await waitFor(async () => (await effects(harness!.pool)).length === 1, { timeoutMs: 20_000 })
    expect(await effects(harness.pool)).toEqual(['w1=hello'])
    // Delivery is at least once: a rejoin can run an attempt again, so compare the set.
    expect(new Set(attempts)).toEqual(new Set([1, 2, 3]))
  })

  it('sends a message that always fails to the DLQ after the schedule, with its provenance', async () => {
    harness = await createHarness(infra, [200, 400])
    const firstSeen = Date.now()
    await harness.start({
      handler: async () => {
        throw new RetryableError('DOWNSTREAM_500', 'the downstream answered 500')
      },
    })
    await harness.send([{ key: 'w-bad', value: 'payload' }])
    const [record] = await harness.readDlq(1)
    expect(record).toMatchObject({ key: 'w-bad', value: 'payload' })
    const headers = record!.headers
    expect(headers).toMatchObject({
      [h.attempt]: '3',
      [h.group]: harness.group,
      [h.errorCode]: 'DOWNSTREAM_500',
      [h.errorMessage]: 'the downstream answered 500',
      [h.originTopic]: harness.topic,
      [h.originOffset]: '0',
    })
    expect(Number(headers[h.originPartition])).toBeGreaterThanOrEqual(0)
    expect(Number(headers[h.firstFailureAt])).toBeGreaterThanOrEqual(firstSeen)
    expect(Number(headers[h.lastFailureAt])).toBeGreaterThanOrEqual(Number(headers[h.firstFailureAt]) + 600)
    expect(await effects(harness.pool)).toEqual([])
  })

  it('sends a fatal error (and a bug) to the DLQ at once, and a message that fails validation with every problem', async () => {
    harness = await createHarness(infra, [200, 400])
    const handled = new Set<string>()
    await harness.start({
      validate: (event) => (event.startsWith('invalid') ? ['data.user.id is required', 'timestamp must be a date'] : []),
      handler: async (event) => {
        handled.add(event)
        if (event === 'fatal') throw new FatalError('UNRENDERABLE', 'cannot render')
        if (event === 'bug') throw new TypeError('x is undefined')
      },
    })
    await harness.send([
      { key: 'a', value: 'fatal' },
      { key: 'b', value: 'bug' },
      { key: 'c', value: 'invalid one' },
    ])
    const dlq = await harness.readDlq(3)
    const byKey = Object.fromEntries(dlq.map((r) => [r.key, r.headers]))
    expect(byKey.a).toMatchObject({ [h.attempt]: '1', [h.errorCode]: 'UNRENDERABLE' })
    expect(byKey.b).toMatchObject({ [h.attempt]: '1', [h.errorCode]: 'BUG_TYPEERROR' })
    expect(byKey.c).toMatchObject({
      [h.attempt]: '1',
      [h.errorCode]: 'VALIDATION_FAILED',
      [h.errorMessage]: 'data.user.id is required; timestamp must be a date',
    })
    // The invalid message never reached the handler (a set: a rejoin can run one again).
    expect(handled).toEqual(new Set(['fatal', 'bug']))
  })

  it('does not let a poison message hold up the rest of its partition', async () => {
    harness = await createHarness(infra, [5_000, 10_000], 1)
    // How many good effects had committed when the poison message's first retry began.
    let doneAtRetry: number | undefined
    const consumer = await harness.start({
      handlerTimeoutMs: 300,
      handler: async (event, ctx) => {
        if (event === 'poison') {
          if (ctx.attempt === 2) doneAtRetry ??= (await effects(harness!.pool)).length
          // Hangs until the runtime aborts it, then fails (as a fetch given the signal would),
          // so that its transaction rolls back and the retry runs it again.
          await new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(new Error('aborted'))))
        } else await insert(ctx.tx, ctx.id, event)
      },
    })
    // The group join is not part of what is measured.
    await waitFor(() => consumer.isReady(), { timeoutMs: 20_000, message: 'the consumer did not join its groups' })
    await harness.send([{ key: 'p', value: 'poison' }, ...Array.from({ length: 5 }, (_, i) => ({ key: `g${i}`, value: `good${i}` }))])
    // The good ones are done while the poison message waits in its 5 s retry tier: before its retry.
    await waitFor(() => doneAtRetry !== undefined, { timeoutMs: 20_000, message: 'the poison message was never retried' })
    expect(doneAtRetry, 'good effects committed when the poison message was retried').toBe(5)
    expect(await effects(harness.pool)).toEqual(['g0=good0', 'g1=good1', 'g2=good2', 'g3=good3', 'g4=good4'])
  })

  it('applies duplicates once per webhook id, also within one batch', async () => {
    harness = await createHarness(infra, [200])
    await harness.start({ handler: async (event, ctx) => await insert(ctx.tx, ctx.id, event) })
    await harness.send([
      { key: 'd1', value: 'x' },
      { key: 'd1', value: 'x' },
      { key: 'd2', value: 'y' },
      { key: 'd1', value: 'x' },
    ])
    await waitFor(
      async () => (await harness!.registry.getSingleMetricAsString('webhooks_consumer_messages_total')).includes('outcome="duplicate"'),
      { timeoutMs: 15_000 },
    )
    await waitFor(async () => (await effects(harness!.pool)).length === 2, { timeoutMs: 15_000 })
    expect(await effects(harness.pool)).toEqual(['d1=x', 'd2=y'])
  })

  it('pauses on a dependency outage and resumes when it is back, without filling the DLQ', async () => {
    harness = await createHarness(infra, [200])
    let down = true
    await harness.start({
      probe: async () => !down,
      handler: async (event, ctx) => {
        if (down) throw new DependencyDownError('SMTP_DOWN', 'no SMTP server answers')
        await insert(ctx.tx, ctx.id, event)
      },
    })
    await harness.send(Array.from({ length: 10 }, (_, i) => ({ key: `o${i}`, value: `v${i}` })))
    await waitFor(
      async () => /webhooks_consumer_paused_partitions\{[^}]*reason="outage"[^}]*\} [1-9]/.test(await harness!.registry.metrics()),
      { timeoutMs: 10_000 },
    )
    down = false
    await waitFor(async () => (await effects(harness!.pool)).length === 10, { timeoutMs: 30_000 })
    const metrics = await harness.registry.metrics()
    expect(metrics).not.toMatch(/webhooks_consumer_dlq_total\{/)
    expect(metrics).not.toMatch(/outcome="retried"/)
  })

  it('claims external effects, completes them, and tells a rerun of an unfinished claim', async () => {
    harness = await createHarness(infra, [200])
    const sent: { id: string; attempt: number; unfinished: boolean }[] = []
    await harness.start({
      effect: 'external',
      handler: async (_event, ctx) => {
        sent.push({ id: ctx.id, attempt: ctx.attempt, unfinished: ctx.unfinishedClaim === true })
        // The first send "reaches the outside world", then fails before it is recorded.
        if (ctx.id === 'x1' && ctx.attempt === 1) throw new RetryableError('LOST_REPLY', 'the reply was lost')
      },
    })
    await harness.send([
      { key: 'x1', value: 'a' },
      { key: 'x2', value: 'b' },
      { key: 'x2', value: 'b' },
    ])
    await waitFor(() => sent.length >= 3, { timeoutMs: 15_000 })
    await waitFor(
      async () =>
        (await harness!.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM consumer_ledger WHERE state = 'completed'")).rows[0]
          ?.n === 2,
      { timeoutMs: 10_000 },
    )
    // Delivery is at least once: after a rejoin the handler can run again, but only ever as
    // the rerun of an unfinished claim, and told so.
    const x1 = sent.filter((s) => s.id === 'x1')
    const x2 = sent.filter((s) => s.id === 'x2')
    expect(x2[0]).toEqual({ id: 'x2', attempt: 1, unfinished: false })
    expect(x2.slice(1).filter((s) => !s.unfinished)).toEqual([])
    expect(x1[0]).toEqual({ id: 'x1', attempt: 1, unfinished: false })
    expect(x1).toContainEqual({ id: 'x1', attempt: 2, unfinished: true })
    expect(x1.slice(1).filter((s) => !s.unfinished)).toEqual([])
  })

  it('applies a batch in one transaction, and isolates a bad message when the batch fails', async () => {
    harness = await createHarness(infra, [200], 1)
    let batches = 0
    await harness.start({
      batchHandler: async (items, ctx) => {
        batches += 1
        for (const item of items) {
          if (item.event === 'bad') throw new Error('this batch cannot be applied')
          await ctx.tx.query('INSERT INTO effects (webhook_id, value) VALUES ($1, $2)', [item.id, item.event])
        }
      },
      handler: async (event, ctx) => {
        if (event === 'bad') throw new FatalError('UNAPPLICABLE', 'cannot apply')
        await insert(ctx.tx, ctx.id, event)
      },
    })
    await harness.send(Array.from({ length: 100 }, (_, i) => ({ key: `b${i}`, value: i === 50 ? 'bad' : `v${i}` })))
    await waitFor(async () => (await effects(harness!.pool)).length === 99, { timeoutMs: 20_000 })
    const [dead] = await harness.readDlq(1)
    expect(dead).toMatchObject({ key: 'b50', headers: { [h.errorCode]: 'UNAPPLICABLE' } })
    expect(batches).toBeLessThan(50)
  })
})

describe('runConsumer when a retry topic cannot be written', () => {
  it('never commits past a message whose move to the retry tier failed, and carries on once it can', async () => {
    harness = await createHarness(infra, [300], 1)
    // The retry topic refuses records of this size: moves to it fail until that changes. The DLQ
    // refuses them too, so that the runtime's fallback for a record too large (the DLQ without
    // its value, see run-consumer-poison.test.ts) fails as well and the move cannot be made.
    const admin = harness.kafka.admin()
    await admin.connect()
    const retryTopic = `${harness.group}.retry.300ms`
    const topics = [retryTopic, `${harness.group}.dlq`]
    const maxBytes = async (value: string): Promise<void> => {
      await admin.alterConfigs({
        validateOnly: false,
        resources: topics.map((name) => ({ type: 2, name, configEntries: [{ name: 'max.message.bytes', value }] })),
      })
    }
    const currentMaxBytes = async (): Promise<(string | undefined)[]> =>
      (
        await admin.describeConfigs({
          includeSynonyms: false,
          resources: topics.map((name) => ({ type: 2, name, configNames: ['max.message.bytes'] })),
        })
      ).resources.map((r) => r.configEntries.find((e) => e.configName === 'max.message.bytes')?.configValue)
    await maxBytes('64')
    // alterConfigs answers before the broker applies the change: start only once it shows.
    await waitFor(async () => (await currentMaxBytes()).every((v) => v === '64'), {
      timeoutMs: 10_000,
      message: 'max.message.bytes=64 never applied',
    })
    const attempts: number[] = []
    await harness.start({
      handler: async (event, ctx) => {
        attempts.push(ctx.attempt)
        if (ctx.attempt === 1) throw new RetryableError('FLAKY', 'first attempt fails')
        await insert(ctx.tx, ctx.id, event)
      },
    })
    await harness.send([{ key: 'm1', value: 'kept' }])
    await waitFor(() => attempts.length >= 2, { timeoutMs: 30_000 })
    const committed = async (): Promise<string | undefined> =>
      (await admin.fetchOffsets({ groupId: harness!.group, topics: [harness!.topic] }))[0]?.partitions[0]?.offset
    expect(['-1', '0']).toContain(await committed())
    expect(await effects(harness.pool)).toEqual([])

    await maxBytes('1048588')
    await waitFor(async () => (await effects(harness!.pool)).length === 1, { timeoutMs: 60_000 })
    expect(await effects(harness.pool)).toEqual(['m1=kept'])
    await waitFor(async () => (await committed()) === '1', { timeoutMs: 10_000 })
    await admin.disconnect()
  }, 90_000)
})
