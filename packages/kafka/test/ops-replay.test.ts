import { mkdtemp, writeFile } from 'node:fs/promises'
import { hostname, tmpdir, userInfo } from 'node:os'
import { join } from 'node:path'
import { consumeUntil, produce, uniqueName, waitFor } from '@nudj-webhooks/testing'
import { Kafka, logLevel, type Admin } from 'kafkajs'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { runOpsCommand } from '../src/ops/run-ops-command.ts'

const infra = inject('infra')
const kafka = new Kafka({ brokers: infra.kafkaBrokers, logLevel: logLevel.NOTHING })
let admin: Admin

beforeAll(async () => {
  admin = kafka.admin()
  await admin.connect()
})
afterAll(async () => {
  await admin.disconnect()
})

async function ops(argv: string[], env: Record<string, string>) {
  const out: string[] = []
  const err: string[] = []
  const code = await runOpsCommand(argv, { out: (l) => out.push(l), err: (l) => err.push(l), progress: () => undefined }, env)
  return { code, out: out.join('\n'), err: err.join('\n') }
}

/**
 * A two-partition topic with ten records, five an hour old and five new, that its group
 * has read and committed to the end.
 */
async function consumedTopic() {
  const [topic, group, audit] = [uniqueName('ops_t'), uniqueName('ops_g'), uniqueName('ops_audit')]
  const file = join(await mkdtemp(join(tmpdir(), 'ops-replay-')), 'topology.json')
  await writeFile(
    file,
    JSON.stringify({
      defaults: { partitions: 2, replicationFactor: 1, retentionHours: 24 },
      auditTopic: audit,
      topics: [topic],
      groups: { [group]: { topics: [topic], retrySchedule: ['10s'] } },
    }),
  )
  const env = { KAFKA_BROKERS: infra.kafkaBrokers.join(','), OPS_TOPOLOGY_FILE: file }
  expect((await ops(['topics', 'ensure'], env)).code).toBe(0)
  const now = Date.now()
  const message = (i: number) => ({ key: `k${i}`, value: `v${i}`, partition: i % 2, timestamp: String(i < 5 ? now - 3_600_000 : now) })
  await produce(
    kafka,
    topic,
    Array.from({ length: 10 }, (_, i) => message(i)),
  )
  await consumeUntil(kafka, { topics: [topic], groupId: group, until: (r) => r.length >= 10 })
  return { topic, group, audit, env, now }
}

async function committed(group: string, topic: string): Promise<string[]> {
  const [offsets] = await admin.fetchOffsets({ groupId: group, topics: [topic] })
  return (offsets?.partitions ?? []).sort((a, b) => a.partition - b.partition).map((p) => p.offset)
}

describe('ops replay', () => {
  it('refuses while the group has a member, naming it and how to stop it', async () => {
    const t = await consumedTopic()
    const member = kafka.consumer({ groupId: t.group, maxWaitTimeInMs: 100 })
    let joined = false
    member.on(member.events.GROUP_JOIN, () => (joined = true))
    await member.connect()
    try {
      await member.subscribe({ topics: [t.topic] })
      await member.run({ eachMessage: async () => undefined })
      await waitFor(() => joined, { timeoutMs: 20_000 })
      const refused = await ops(['replay', '--group', t.group, '--from', 'earliest'], t.env)
      expect(refused).toMatchObject({ code: 1, out: '' })
      expect(refused.err).toMatch(new RegExp(`^ops replay: group ${t.group} is Stable with 1 member \\(kafkajs on [\\d.:a-f]+\\)`))
      expect(refused.err).toContain('scale the deployment to 0 replicas or stop the service, then run replay again')

      // A dry run still shows the plan, and says replay would refuse.
      const dry = await ops(['replay', '--group', t.group, '--from', 'earliest', '--dry-run'], t.env)
      expect(dry.code).toBe(0)
      expect(dry.out).toContain('note: replay would refuse now')
    } finally {
      await member.disconnect()
    }
    expect(await committed(t.group, t.topic)).toEqual(['5', '5'])
  })

  it('shows the plan on a dry run and changes nothing; then resets to earliest and records it', async () => {
    const t = await consumedTopic()
    const dry = await ops(['replay', '--group', t.group, '--from', 'earliest', '--dry-run'], t.env)
    expect(dry).toMatchObject({ code: 0, err: '' })
    const rows = dry.out.split('\n').map((l) => l.split(/\s+/))
    expect(rows.slice(1, 4)).toEqual([
      ['topic', 'partition', 'committed', 'target', 'to', 'reprocess'],
      [t.topic, '0', '5', '0', '5'],
      [t.topic, '1', '5', '0', '5'],
    ])
    expect(dry.out).toContain('10 records to reprocess')
    expect(dry.out).toContain('dry run: no offsets changed')
    expect(await committed(t.group, t.topic)).toEqual(['5', '5'])
    expect((await admin.listTopics()).includes(t.audit)).toBe(true) // made by topics ensure, still empty
    expect((await admin.fetchTopicOffsets(t.audit))[0]?.high).toBe('0')

    const replay = await ops(['replay', '--group', t.group, '--from', 'earliest'], t.env)
    expect(replay).toMatchObject({ code: 0, err: '' })
    expect(replay.out).toContain(`reset 2 partitions of group ${t.group}`)
    expect(await committed(t.group, t.topic)).toEqual(['0', '0'])
    const again = await consumeUntil(kafka, { topics: [t.topic], groupId: t.group, until: (r) => r.length >= 10 })
    expect(again.map((r) => r.message.key?.toString()).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `k${i}`).sort())

    const [audit] = await consumeUntil(kafka, { topics: [t.audit], groupId: uniqueName('check'), until: (r) => r.length >= 1 })
    expect(audit?.message.key?.toString()).toBe(t.group)
    const record = JSON.parse(audit?.message.value?.toString() ?? '{}') as Record<string, unknown>
    expect(record).toMatchObject({
      action: 'replay',
      group: t.group,
      from: 'earliest',
      partitions: [
        { topic: t.topic, partition: 0, from: 5, to: 0, records: 5 },
        { topic: t.topic, partition: 1, from: 5, to: 0, records: 5 },
      ],
    })
    expect(record.who).toEqual({ user: userInfo().username, host: hostname() })
    expect(replay.out).toContain(`audit record on ${t.audit}: ${audit?.message.value?.toString()}`)
  })

  it('resets to the first record at or after a time, and to explicit offsets', async () => {
    const t = await consumedTopic()
    const since = new Date(t.now - 60_000).toISOString()
    const replay = await ops(['replay', '--group', t.group, '--from', since], t.env)
    expect(replay.code).toBe(0)
    expect(await committed(t.group, t.topic)).toEqual(['3', '2']) // old k0 k2 k4, new k6 k8 on 0; old k1 k3, new k5 k7 k9 on 1
    const read = await consumeUntil(kafka, { topics: [t.topic], groupId: t.group, until: (r) => r.length >= 5 })
    expect(read.map((r) => r.message.key?.toString()).sort()).toEqual(['k5', 'k6', 'k7', 'k8', 'k9'])

    const explicit = await ops(['replay', '--group', t.group, '--from', `${t.topic}:1:4`], t.env)
    expect(explicit.code).toBe(0)
    expect(await committed(t.group, t.topic)).toEqual(['5', '4'])

    const outside = await ops(['replay', '--group', t.group, '--from', `${t.topic}:1:9`], t.env)
    expect(outside.code).toBe(2)
    expect(outside.err).toContain(`--from: ${t.topic}:1 holds offsets 0 to 5 (the end), not 9`)
  })
})
