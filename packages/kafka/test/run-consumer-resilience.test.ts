import type { ChildProcess } from 'node:child_process'
import { waitFor } from '@nudj-webhooks/testing'
import { afterEach, describe, expect, inject, it } from 'vitest'
import { RetryableError } from '../src/errors.ts'
import { provenanceHeaders as h } from '../src/group-topics.ts'
import { createHarness, effects, type Harness } from './consumer-harness.ts'

const infra = inject('infra')
let harness: Harness | undefined
afterEach(async () => {
  await harness?.close()
  harness = undefined
})

const rows = async (h: Harness): Promise<{ total: number; distinct: number }> => {
  const { rows } = await h.pool.query<{ total: number; distinct: number }>(
    'SELECT count(*)::int AS total, count(DISTINCT webhook_id)::int AS distinct FROM effects',
  )
  return rows[0]!
}

describe('runConsumer under crashes, rebalances and replays', () => {
  it('loses and doubles nothing when the process is killed (SIGKILL) mid-batch and restarted', async () => {
    harness = await createHarness(infra, [500], 2)
    await harness.send(Array.from({ length: 300 }, (_, i) => ({ key: `k${i}`, value: `v${i}` })))
    const start = (): ChildProcess => harness!.spawnFixture('run-test-consumer.ts', { TEST_DELAY_MS: '15' })
    const first = start()
    await waitFor(async () => (await rows(harness!)).total >= 60, { timeoutMs: 30_000 })
    first.kill('SIGKILL')
    await new Promise((resolve) => first.once('exit', resolve))
    const atKill = (await rows(harness)).total
    expect(atKill).toBeLessThan(300)

    start()
    await waitFor(async () => (await rows(harness!)).distinct === 300, { timeoutMs: 60_000 })
    expect(await rows(harness)).toEqual({ total: 300, distinct: 300 })
  }, 120_000)

  it('after a SIGKILL between an external send and its record, sends that id again, marked as an unfinished claim', async () => {
    harness = await createHarness(infra, [500], 2)
    await harness.pool.query('CREATE TABLE sends (webhook_id text NOT NULL, unfinished_claim boolean NOT NULL)')
    await harness.send(Array.from({ length: 60 }, (_, i) => ({ key: `s${i}`, value: `v${i}` })))
    const start = (): ChildProcess => harness!.spawnFixture('run-test-consumer.ts', { TEST_DELAY_MS: '100', TEST_EFFECT: 'external' })
    const sends = async (): Promise<{ webhook_id: string; unfinished_claim: boolean }[]> =>
      (await harness!.pool.query<{ webhook_id: string; unfinished_claim: boolean }>('SELECT webhook_id, unfinished_claim FROM sends')).rows
    const first = start()
    await waitFor(async () => (await sends()).length >= 10, { timeoutMs: 30_000 })
    first.kill('SIGKILL')
    await new Promise((resolve) => first.once('exit', resolve))
    // Sent but never recorded as completed: the sleep after each send is where it died.
    const { rows: claimed } = await harness.pool.query<{ webhook_id: string }>(
      "SELECT webhook_id FROM consumer_ledger WHERE state = 'claimed'",
    )
    expect(claimed.length).toBeGreaterThan(0)

    start()
    await waitFor(async () => (await harness!.pool.query("SELECT 1 FROM consumer_ledger WHERE state = 'completed'")).rowCount === 60, {
      timeoutMs: 60_000,
    })
    const all = await sends()
    const count = new Map<string, number>()
    for (const s of all) count.set(s.webhook_id, (count.get(s.webhook_id) ?? 0) + 1)
    expect(count.size).toBe(60)
    // Only ids left claimed were sent twice, and each claimed id's rerun knew it was one
    // (and carried the same id, for the receiver to drop the repeat).
    const claimedIds = new Set(claimed.map((c) => c.webhook_id))
    const repeated = [...count].filter(([, n]) => n > 1).map(([id]) => id)
    expect(repeated.length).toBeGreaterThan(0)
    expect(repeated.filter((id) => !claimedIds.has(id))).toEqual([])
    for (const id of claimedIds) expect(all.filter((s) => s.webhook_id === id && s.unfinished_claim)).toHaveLength(1)
    expect(all.filter((s) => s.unfinished_claim && !claimedIds.has(s.webhook_id))).toEqual([])
  }, 120_000)

  it('shares the work between two instances through rebalances, each id applied once', async () => {
    harness = await createHarness(infra, [500], 4)
    const handler = async (
      event: string,
      ctx: { tx?: { query: (q: string, v: unknown[]) => Promise<unknown> }; id: string },
    ): Promise<void> => {
      await ctx.tx!.query('INSERT INTO effects (webhook_id, value) VALUES ($1, $2)', [ctx.id, event])
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
    const one = await harness.start({ handler })
    await harness.send(Array.from({ length: 200 }, (_, i) => ({ key: `a${i}`, value: 'x' })))
    await waitFor(async () => (await rows(harness!)).total >= 20, { timeoutMs: 20_000 })
    await harness.start({ handler }) // joins: a rebalance
    await harness.send(Array.from({ length: 200 }, (_, i) => ({ key: `b${i}`, value: 'y' })))
    await waitFor(async () => (await rows(harness!)).total >= 250, { timeoutMs: 30_000 })
    await one.close() // leaves: another rebalance
    await waitFor(async () => (await rows(harness!)).distinct === 400, { timeoutMs: 30_000 })
    expect(await rows(harness)).toEqual({ total: 400, distinct: 400 })
    expect(await harness.registry.getSingleMetricAsString('webhooks_consumer_rebalances_total')).toMatch(/ [3-9]\d*$|[1-9]\d+$/m)
  }, 90_000)

  it('rebuilds the same state when the stopped group is replayed from the earliest offset', async () => {
    harness = await createHarness(infra, [500], 2)
    const handler = async (
      event: string,
      ctx: { tx?: { query: (q: string, v: unknown[]) => Promise<unknown> }; id: string },
    ): Promise<void> => {
      await ctx.tx!.query('INSERT INTO effects (webhook_id, value) VALUES ($1, $2)', [ctx.id, event])
    }
    const first = await harness.start({ handler })
    await harness.send(Array.from({ length: 50 }, (_, i) => ({ key: `r${i % 40}`, value: `v${i % 40}` })))
    await waitFor(async () => (await rows(harness!)).distinct === 40, { timeoutMs: 20_000 })
    const before = await effects(harness.pool)
    await first.close()

    // A rebuild: clear the projection and the group's ledger, reset the stopped group, run again.
    await harness.pool.query('TRUNCATE effects')
    await harness.pool.query('DELETE FROM consumer_ledger WHERE consumer_group = $1', [harness.group])
    const admin = harness.kafka.admin()
    await admin.connect()
    await admin.resetOffsets({ groupId: harness.group, topic: harness.topic, earliest: true })
    await admin.disconnect()
    await harness.start({ handler })
    await waitFor(async () => (await rows(harness!)).distinct === 40, { timeoutMs: 20_000 })
    expect(await effects(harness.pool)).toEqual(before)
    expect((await rows(harness)).total).toBe(40)
  }, 60_000)

  it('honours retry delays: never early, and runs a retry soon after it is due', async () => {
    harness = await createHarness(infra, [1_000, 2_000], 1)
    const attempts: { attempt: number; at: number; dueAt: number }[] = []
    await harness.start({
      handler: async (_event, ctx) => {
        attempts.push({ attempt: ctx.attempt, at: Date.now(), dueAt: Number(ctx.message.headers[h.dueAt] ?? 0) })
        if (ctx.attempt < 3) throw new RetryableError('LATER', 'not yet')
      },
    })
    await harness.send([{ key: 't', value: 'timed' }])
    // The first run of each attempt (a redelivery after a rejoin would add another).
    const run = (n: number) => attempts.find((a) => a.attempt === n)
    await waitFor(() => run(3), { timeoutMs: 20_000 })
    const [first, second, third] = [run(1)!, run(2)!, run(3)!]
    // Never early: the invariant.
    expect(second.at - first.at).toBeGreaterThanOrEqual(1_000)
    expect(third.at - second.at).toBeGreaterThanOrEqual(2_000)
    // Not held much past the due time. Measured from x-retry-due-at, so that a slow move to
    // the retry topic is not counted; the bound is generous, for a loaded test machine.
    for (const retry of [second, third]) {
      expect(retry.at).toBeGreaterThanOrEqual(retry.dueAt)
      expect(retry.at - retry.dueAt).toBeLessThanOrEqual(5_000)
    }
  }, 30_000)
})
