import { execFile } from 'node:child_process'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { consumeUntil, produce, uniqueName } from '@nudj-webhooks/testing'
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

/** A topology of its own: two topics, one group with two retry delays, an audit topic. */
async function newTopology(overrides: { aPartitions?: number } = {}) {
  const [a, b, group, audit] = [uniqueName('ops_a'), uniqueName('ops_b'), uniqueName('ops_g'), uniqueName('ops_audit')]
  const topology = {
    defaults: { partitions: 2, replicationFactor: 1, retentionHours: 24 },
    auditTopic: audit,
    topics: [
      { name: a, partitions: overrides.aPartitions ?? 2 },
      { name: b, partitions: 3, retentionHours: -1 },
    ],
    groups: { [group]: { topics: [a, b], retrySchedule: ['10s', '1m'] } },
  }
  const file = join(await mkdtemp(join(tmpdir(), 'ops-topics-')), 'topology.json')
  await writeFile(file, JSON.stringify(topology))
  return { a, b, group, audit, file, topology, env: { KAFKA_BROKERS: infra.kafkaBrokers.join(','), OPS_TOPOLOGY_FILE: file } }
}

async function ops(argv: string[], env: Record<string, string>) {
  const out: string[] = []
  const err: string[] = []
  const code = await runOpsCommand(argv, { out: (l) => out.push(l), err: (l) => err.push(l), progress: () => undefined }, env)
  return { code, out: out.join('\n'), err: err.join('\n') }
}

async function partitionsAndRetention(topics: string[]) {
  const metadata = await admin.fetchTopicMetadata({ topics })
  const configs = await admin.describeConfigs({
    resources: topics.map((name) => ({ type: 2, name, configNames: ['retention.ms'] })),
    includeSynonyms: false,
  })
  return Object.fromEntries(
    metadata.topics.map((t) => [
      t.name,
      [t.partitions.length, configs.resources.find((r) => r.resourceName === t.name)?.configEntries[0]?.configValue],
    ]),
  )
}

describe('ops topics ensure', () => {
  it('creates every topic with its partitions and retention, is idempotent, and grows partitions', async () => {
    const t = await newTopology()
    const day = String(24 * 3_600_000)
    const expected = {
      [t.a]: [2, day],
      [t.b]: [3, '-1'],
      [`${t.group}.retry.10s`]: [2, day],
      [`${t.group}.retry.1m`]: [2, day],
      [`${t.group}.dlq`]: [2, String(4 * 24 * 3_600_000)],
      [t.audit]: [1, '-1'],
    }

    const dry = await ops(['topics', 'ensure', '--dry-run'], t.env)
    expect(dry.code).toBe(0)
    expect(dry.out).toContain(`would create  ${t.a}`)
    expect(dry.out).toContain('dry run: 6 to create, 0 to grow, 0 already right; nothing changed')
    expect((await admin.listTopics()).filter((name) => name in expected)).toEqual([])

    const first = await ops(['topics', 'ensure'], t.env)
    expect(first).toMatchObject({ code: 0, err: '' })
    expect(first.out).toContain(`created  ${t.group}.dlq`)
    expect(first.out).toContain('6 created, 0 grown, 0 already right')
    expect(await partitionsAndRetention(Object.keys(expected))).toEqual(expected)

    const again = await ops(['topics', 'ensure'], t.env)
    expect(again.out).toContain('0 created, 0 grown, 6 already right')
    expect(again.out).not.toContain('note:')

    const grown = { ...t.topology, topics: [{ name: t.a, partitions: 4 }, t.topology.topics[1]] }
    await writeFile(t.file, JSON.stringify(grown))
    const grow = await ops(['topics', 'ensure'], t.env)
    expect(grow.out).toContain(`grew  ${t.a}`)
    expect(grow.out).toContain('2 → 4 partitions')
    expect(grow.out).toContain('0 created, 1 grown, 5 already right')
    expect((await partitionsAndRetention([t.a]))[t.a]).toEqual([4, day])
  })

  it('reports retention it does not change, and every problem of a broken topology', async () => {
    const t = await newTopology()
    await ops(['topics', 'ensure'], t.env)
    await writeFile(t.file, JSON.stringify({ ...t.topology, defaults: { ...t.topology.defaults, retentionHours: 48 } }))
    const drift = await ops(['topics', 'ensure'], t.env)
    expect(drift.code).toBe(0)
    expect(drift.out).toContain(`note: ${t.a}: retention.ms is ${24 * 3_600_000}, configured ${48 * 3_600_000} (not changed; see OPS.md)`)

    await writeFile(t.file, JSON.stringify({ defaults: { partitions: 0 }, topics: [], groups: {} }))
    const broken = await ops(['topics', 'describe'], t.env)
    expect(broken.code).toBe(1)
    expect(broken.err).toContain('is not a usable topology')
    expect(broken.err).toContain('defaults.partitions: must be a whole number, 1 or more, got 0')
    expect(broken.err).toContain('defaults.replicationFactor')
    expect(broken.err).toContain('auditTopic')
    expect(broken.err).toContain('topics: must be a non-empty list')
  })
})

describe('ops topics describe', () => {
  it('reports record counts, and each group lag per topic', async () => {
    const t = await newTopology()
    await ops(['topics', 'ensure'], t.env)
    await produce(
      kafka,
      t.a,
      Array.from({ length: 5 }, (_, i) => ({ key: `k${i}`, value: 'v', partition: i % 2 })),
    )
    await produce(kafka, t.b, [{ key: 'x', value: 'v' }])
    // The group reads a (and commits); b stays unread.
    await consumeUntil(kafka, { topics: [t.a], groupId: t.group, until: (r) => r.length >= 5 })
    await produce(kafka, t.a, [
      { key: 'late1', value: 'v', partition: 0 },
      { key: 'late2', value: 'v', partition: 1 },
    ])

    const { code, out } = await ops(['topics', 'describe'], t.env)
    expect(code).toBe(0)
    const line = (start: string) => out.split('\n').find((l) => l.trim().startsWith(start)) ?? ''
    expect(line(t.a).split(/\s+/)).toEqual([t.a, 'topic', '2', '1', '1d', '7'])
    expect(line(t.b).split(/\s+/)).toEqual([t.b, 'topic', '3', '1', 'forever', '1'])
    expect(line(`${t.group}.dlq`).split(/\s+/)).toEqual([`${t.group}.dlq`, 'dlq', '2', '1', '4d', '0'])
    expect(out).toMatch(new RegExp(`group ${t.group}: Empty, 0 members\\n  ${t.a} +lag 2\\n  ${t.b} +no commits`))
    expect(out).toMatch(new RegExp(`group ${t.group}\\.retry: Dead, 0 members\\n  ${t.group}\\.retry\\.10s +no commits`))
  })
})

describe('the ops command line', () => {
  it('answers --help, refuses bad usage with exit 2, and names an unreachable broker with exit 1', async () => {
    const bin = fileURLToPath(new URL('../bin/ops.ts', import.meta.url))
    const t = await newTopology()
    const run = async (args: string[], env: Record<string, string> = t.env) => {
      try {
        const { stdout, stderr } = await promisify(execFile)(process.execPath, [bin, ...args], { env, timeout: 30_000 })
        return { code: 0, stdout, stderr }
      } catch (err) {
        const e = err as { code: number; stdout: string; stderr: string }
        return { code: e.code, stdout: e.stdout, stderr: e.stderr }
      }
    }
    const help = await run(['dlq', 'redrive', '--help'])
    expect(help.code).toBe(0)
    expect(help.stdout).toContain('usage: ops dlq redrive --group G')

    const bad = await run(['dlq', 'list', '--group', t.group, '--limit', 'many'])
    expect(bad).toMatchObject({ code: 2, stdout: '' })
    expect(bad.stderr).toBe(`ops dlq list: --limit must be a whole number, 1 or more, got 'many'\n(see ops dlq list --help)\n`)

    const unknown = await run(['dlq', 'list', '--group', 'nope'])
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain(`unknown group 'nope'; the topology's groups are ${t.group}`)

    // Nothing listens on port 1 of the loopback interface.
    const down = await run(['topics', 'describe'], { ...t.env, KAFKA_BROKERS: '127.0.0.1:1' })
    expect(down.code).toBe(1)
    expect(down.stderr).toMatch(/^ops topics describe: Kafka at 127\.0\.0\.1:1 failed: .*ECONNREFUSED/)
    expect(down.stderr).not.toContain('    at ')
  })
})
