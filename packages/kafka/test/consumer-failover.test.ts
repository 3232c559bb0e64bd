// A SIGKILLed member's partitions are served again by the survivor within the session timeout
// every consumer service shares (CONSUMER_SESSION_TIMEOUT, 6 s by default). Durations are not
// asserted here (bench/consumer/recovery.ts measures them): the 20 s budget of the waits is
// what shows the setting took effect, since kafkajs' former 30 s session could not meet it.
import type { ChildProcess } from 'node:child_process'
import { produce, waitFor } from '@nudj-webhooks/testing'
import { AssignerProtocol, type Admin } from 'kafkajs'
import { afterEach, describe, expect, inject, it } from 'vitest'
import { createHarness, type Harness } from './consumer-harness.ts'

const infra = inject('infra')
const partitions = 4
const recoveryBudgetMs = 20_000
let harness: Harness | undefined
let admin: Admin | undefined
afterEach(async () => {
  await admin?.disconnect()
  admin = undefined
  await harness?.close()
  harness = undefined
})

/** Starts a member process of the harness's group, named `member` (its client id). */
function startMember(h: Harness, member: string): ChildProcess {
  return h.spawnFixture('run-failover-member.ts', { TEST_MEMBER: member, TEST_PARTITIONS: String(partitions) })
}

/** The group's state and each member's partitions of the topic, by client id. */
async function assignmentOf(a: Admin, h: Harness): Promise<{ state: string; members: Record<string, number[]> }> {
  const { groups } = await a.describeGroups([h.group])
  const group = groups[0]!
  const members: Record<string, number[]> = {}
  for (const m of group.members) {
    const assigned = AssignerProtocol.MemberAssignment.decode(m.memberAssignment)?.assignment[h.topic] ?? []
    members[m.clientId] = [...assigned].sort((x, y) => x - y)
  }
  return { state: group.state, members }
}

/** `rounds` records on each of `on` (every partition by default): `<prefix><round>-<partition>`. */
function records(prefix: string, rounds: number, on = [...Array(partitions).keys()], value = 'x') {
  return Array.from({ length: rounds * on.length }, (_, i) => {
    const partition = on[i % on.length]!
    return { key: `${prefix}${Math.floor(i / on.length)}-${partition}`, value, partition }
  })
}

/** What was applied of the records whose key starts with `prefix`: id and `<member>:<partition>`. */
const applied = async (h: Harness, prefix: string): Promise<{ webhook_id: string; value: string }[]> =>
  (
    await h.pool.query<{ webhook_id: string; value: string }>(
      'SELECT webhook_id, value FROM effects WHERE webhook_id LIKE $1 ORDER BY webhook_id, value',
      [`${prefix}%`],
    )
  ).rows

/** Each record once, applied by `member` on the record's own partition. */
const appliedBy = (member: string, sent: { key: string; partition: number }[]) =>
  sent.map((r) => ({ webhook_id: r.key, value: `${member}:${r.partition}` })).sort((x, y) => x.webhook_id.localeCompare(y.webhook_id))

/**
 * Members a and b share the partitions and both have applied records ("before"): answers
 * b's process and partitions.
 */
async function startPair(h: Harness, a: Admin): Promise<{ b: ChildProcess; bPartitions: number[]; aPartitions: number[] }> {
  startMember(h, 'a')
  await waitFor(async () => (await assignmentOf(a, h)).members.a?.length === partitions, { timeoutMs: 30_000, message: 'a never joined' })
  const b = startMember(h, 'b')
  const { members } = await waitFor(
    async () => {
      const d = await assignmentOf(a, h)
      return d.state === 'Stable' && d.members.a?.length === partitions / 2 && d.members.b?.length === partitions / 2 ? d : undefined
    },
    { timeoutMs: 30_000, message: 'the two members never shared the partitions' },
  )
  const before = records('before', 3)
  await produce(h.kafka, h.topic, before)
  await waitFor(async () => (await applied(h, 'before')).length === before.length, { timeoutMs: 30_000 })
  const servedByB = new Set((await applied(h, 'before')).filter((r) => r.value.startsWith('b:')).map((r) => Number(r.value.slice(2))))
  expect([...servedByB].sort()).toEqual(members.b)
  return { b, bPartitions: members.b!, aPartitions: members.a! }
}

async function kill(child: ChildProcess): Promise<void> {
  child.kill('SIGKILL')
  await new Promise((resolve) => child.once('exit', resolve))
}

/** Every effect once, and the ledger holds each id once. */
async function expectEachOnce(h: Harness, count: number): Promise<void> {
  const { rows } = await h.pool.query<{ total: number; distinct: number; ledger: number }>(
    `SELECT count(*)::int AS total, count(DISTINCT webhook_id)::int AS distinct,
            (SELECT count(*)::int FROM consumer_ledger WHERE consumer_group = $1) AS ledger FROM effects`,
    [h.group],
  )
  expect(rows[0]).toEqual({ total: count, distinct: count, ledger: count })
}

describe('runConsumer when a member is killed (shared session timeout)', () => {
  it("gives a SIGKILLed member's partitions to the survivor, which applies what comes next once each", async () => {
    harness = await createHarness(infra, [500], partitions)
    admin = harness.kafka.admin()
    await admin.connect()
    const [h, a] = [harness, admin]
    const { b } = await startPair(h, a)

    await kill(b)
    const after = records('after', 5)
    await produce(h.kafka, h.topic, after)
    await waitFor(async () => (await applied(h, 'after')).length >= after.length, {
      timeoutMs: recoveryBudgetMs,
      message: "the killed member's partitions were not served again within 20 s (as under the old 30 s session timeout)",
    })

    expect(await applied(h, 'after')).toEqual(appliedBy('a', after))
    expect(await assignmentOf(a, h)).toEqual({ state: 'Stable', members: { a: [0, 1, 2, 3] } })
    await expectEachOnce(h, 3 * partitions + after.length)
  }, 120_000)

  it('serves them as soon even while the survivor is in the middle of a slow batch, which it leaves to rejoin', async () => {
    harness = await createHarness(infra, [500], partitions)
    admin = harness.kafka.admin()
    await admin.connect()
    const [h, a] = [harness, admin]
    const { b, bPartitions, aPartitions } = await startPair(h, a)
    // Fifteen records of 2 s in one batch on one of a's partitions: 30 s, longer than the budget,
    // so the killed member's partitions are served in time only if a rejoins before its end.
    const slow = records('slow', 15, [aPartitions[0]!], 'slow')
    await produce(h.kafka, h.topic, slow)
    await waitFor(async () => (await applied(h, 'slow')).length >= 1, { timeoutMs: 30_000, message: 'the slow batch never started' })

    await kill(b)
    const after = records('after', 2, bPartitions)
    await produce(h.kafka, h.topic, after)
    await waitFor(async () => (await applied(h, 'after')).length >= after.length, {
      timeoutMs: recoveryBudgetMs,
      message: "the killed member's partitions were not served again within 20 s: the group waited for the survivor's slow batch",
    })
    expect(await applied(h, 'after')).toEqual(appliedBy('a', after))
    // The rest of the slow batch, left uncommitted, is applied after the rejoin, once each.
    await waitFor(async () => (await applied(h, 'slow')).length >= slow.length, { timeoutMs: 60_000 })
    expect(await applied(h, 'slow')).toEqual(appliedBy('a', slow))
    await expectEachOnce(h, 3 * partitions + slow.length + after.length)
  }, 150_000)
})
