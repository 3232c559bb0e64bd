import { mkdtemp, writeFile } from 'node:fs/promises'
import { hostname, tmpdir, userInfo } from 'node:os'
import { join } from 'node:path'
import { consumeUntil, produce, uniqueName, waitFor } from '@nudj-webhooks/testing'
import { Kafka, logLevel, type Admin, type Message } from 'kafkajs'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { provenanceHeaders as h } from '../src/group-topics.ts'
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

/** Its own topology (one topic, one group retrying after 10s then 1m), with every topic created. */
async function newTopology() {
  const [topic, group, audit] = [uniqueName('ops_t'), uniqueName('ops_g'), uniqueName('ops_audit')]
  const file = join(await mkdtemp(join(tmpdir(), 'ops-dlq-')), 'topology.json')
  await writeFile(
    file,
    JSON.stringify({
      defaults: { partitions: 2, replicationFactor: 1, retentionHours: 24 },
      auditTopic: audit,
      topics: [topic],
      groups: { [group]: { topics: [topic], retrySchedule: ['10s', '1m'] } },
    }),
  )
  const env = { KAFKA_BROKERS: infra.kafkaBrokers.join(','), OPS_TOPOLOGY_FILE: file, SCHEMA_REGISTRY_URL: infra.schemaRegistryUrl }
  expect((await ops(['topics', 'ensure'], env)).code).toBe(0)
  return { topic, group, audit, dlq: `${group}.dlq`, retry: `${group}.retry.10s`, env }
}

async function ops(argv: string[], env: Record<string, string>) {
  const out: string[] = []
  const err: string[] = []
  const code = await runOpsCommand(argv, { out: (l) => out.push(l), err: (l) => err.push(l), progress: () => undefined }, env)
  return { code, out: out.join('\n'), err: err.join('\n') }
}

/** A record as the consumer runtime writes it to a DLQ: the original plus provenance headers. */
function deadLetter(
  t: { topic: string; group: string },
  i: number,
  fields: { key: string; code: string; value?: Buffer; partition?: number },
) {
  const failedAt = Date.now() - 60_000
  return {
    key: fields.key,
    value: fields.value ?? Buffer.from(`value ${i}`),
    partition: fields.partition ?? 0,
    headers: {
      'x-source': 'ops-test',
      [h.attempt]: '3',
      [h.group]: t.group,
      [h.errorCode]: fields.code,
      [h.errorMessage]: `failed number ${i}`,
      [h.firstFailureAt]: String(failedAt - 600_000),
      [h.lastFailureAt]: String(failedAt),
      [h.originTopic]: t.topic,
      [h.originPartition]: '1',
      [h.originOffset]: String(100 + i),
    },
  } satisfies Message
}

async function recordCount(topic: string): Promise<number> {
  return (await admin.fetchTopicOffsets(topic)).reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0)
}

/** Registers an Avro schema and encodes a value of it in the Confluent wire format, by hand. */
async function wireValue(name: string, body: Buffer, blob: Buffer): Promise<Buffer> {
  const schema = {
    type: 'record',
    name: 'OpsTestValue',
    namespace: 'test.ops',
    fields: [
      { name: 'name', type: 'string' },
      { name: 'body', type: 'bytes' },
      { name: 'blob', type: 'bytes' },
    ],
  }
  const response = await fetch(`${infra.schemaRegistryUrl}/subjects/${uniqueName('ops_value')}-value/versions`, {
    method: 'POST',
    headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
    body: JSON.stringify({ schema: JSON.stringify(schema) }),
  })
  const { id } = (await response.json()) as { id: number }
  // Avro strings and bytes are a zig-zag varint length (2n for n >= 0) and the bytes.
  const field = (bytes: Buffer): Buffer => {
    const length: number[] = []
    for (let n = bytes.length * 2; ; n = Math.floor(n / 128)) {
      if (n < 0x80) {
        length.push(n)
        break
      }
      length.push((n & 0x7f) | 0x80)
    }
    return Buffer.concat([Buffer.from(length), bytes])
  }
  const header = Buffer.alloc(5)
  header.writeInt32BE(id, 1)
  return Buffer.concat([header, field(Buffer.from(name)), field(body), field(blob)])
}

describe('ops dlq list and show', () => {
  it('lists dead letters with their provenance, shows one decoded, and leaves no consumer group behind', async () => {
    const t = await newTopology()
    const decodable = await wireValue('reward', Buffer.from('{"id":"wh-1"}'), Buffer.from([0, 1, 2]))
    await produce(kafka, t.dlq, [
      deadLetter(t, 0, { key: 'wh-1', code: 'SMTP_REJECTED', value: decodable }),
      deadLetter(t, 1, { key: 'wh-2', code: 'TEMPLATE_MISSING', value: Buffer.from('{"raw":true}') }),
      deadLetter(t, 2, { key: 'wh-3', code: 'SMTP_REJECTED', partition: 1 }),
    ])
    const groupsBefore = new Set((await admin.listGroups()).groups.map((g) => g.groupId))

    const list = await ops(['dlq', 'list', '--group', t.group], t.env)
    expect(list).toMatchObject({ code: 0, err: '' })
    const lines = list.out.split('\n')
    expect(lines[0]).toBe(`${t.dlq}: 3 records, 0 already redriven`)
    expect(lines[1]?.split(/\s+/)).toEqual(['partition', 'offset', 'key', 'error', 'attempts', 'origin', 'failed', 'redriven', 'message'])
    expect(lines[2]?.split(/\s{2,}/)).toEqual([
      '0',
      '0',
      'wh-1',
      'SMTP_REJECTED',
      '3',
      `${t.topic}:1:100`,
      '1m ago',
      'no',
      'failed number 0',
    ])
    expect(lines[4]?.split(/\s{2,}/)).toEqual([
      '1',
      '0',
      'wh-3',
      'SMTP_REJECTED',
      '3',
      `${t.topic}:1:102`,
      '1m ago',
      'no',
      'failed number 2',
    ])
    const scanGroups = (await admin.listGroups()).groups.filter((g) => g.groupId.startsWith('ops-scan-') && !groupsBefore.has(g.groupId))
    expect(scanGroups).toEqual([])
    expect((await ops(['dlq', 'list', '--group', t.group, '--limit', '1'], t.env)).out).toContain('showing 1 of 3 (--limit N for more)')

    const show = await ops(['dlq', 'show', '--group', t.group, '--partition', '0', '--offset', '0'], t.env)
    expect(show).toMatchObject({ code: 0, err: '' })
    expect(show.out).toMatch(/^key +wh-1$/m)
    expect(show.out).toMatch(/^ {2}x-error-code +SMTP_REJECTED$/m)
    expect(show.out).toMatch(/^ {2}x-last-failure-at +\d+ \(\d{4}-\d\d-\d\dT[\d:.]+Z, 1m ago\)$/m)
    expect(show.out).toMatch(/^ {2}x-source +ops-test$/m)
    expect(show.out).toContain('decoded through the registry')
    expect(show.out).toContain(JSON.stringify({ name: 'reward', body: '{"id":"wh-1"}', blob: 'base64:AAEC' }, null, 2))

    const raw = await ops(['dlq', 'show', '--group', t.group, '--partition', '0', '--offset', '1'], t.env)
    expect(raw.out).toContain('value (12 bytes, base64: not in the Confluent wire format)')
    expect(raw.out).toContain(Buffer.from('{"raw":true}').toString('base64'))

    const missing = await ops(['dlq', 'show', '--group', t.group, '--partition', '0', '--offset', '9'], t.env)
    expect(missing).toMatchObject({ code: 1, out: '' })
    expect(missing.err).toBe(`ops dlq show: ${t.dlq} partition 0 has no offset 9: it holds offsets 0 to 1`)
  })
})

describe('ops dlq redrive', () => {
  it('moves exactly the selected records to the first retry topic, once, keeping key, value and headers', async () => {
    const t = await newTopology()
    const codes = ['A', 'B', 'A', 'B', 'A', 'B']
    await produce(kafka, t.dlq, [
      ...codes.map((code, i) => deadLetter(t, i, { key: `k${i}`, code })),
      deadLetter(t, 6, { key: 'k6', code: 'A', partition: 1 }),
    ])

    const dry = await ops(['dlq', 'redrive', '--group', t.group, '--error-code', 'A', '--dry-run'], t.env)
    expect(dry.code).toBe(0)
    expect(dry.out).toContain(`dry run: would redrive 4 records from ${t.dlq} to ${t.retry}; nothing sent`)
    expect(await recordCount(t.retry)).toBe(0)

    const before = Date.now()
    const first = await ops(['dlq', 'redrive', '--group', t.group, '--error-code', 'A', '--rate', '200'], t.env)
    expect(first.err).toContain(`redriving ${t.dlq} → ${t.retry}`)
    expect(first.code).toBe(0)
    expect(first.out).toContain(`redrove 4 records to ${t.retry}`)
    const after = Date.now()
    const moved = await consumeUntil(kafka, { topics: [t.retry], groupId: uniqueName('check'), until: (r) => r.length >= 4 })
    expect(await recordCount(t.retry)).toBe(4)
    expect(moved.map((r) => r.message.key?.toString()).sort()).toEqual(['k0', 'k2', 'k4', 'k6'])
    for (const { message } of moved) {
      const i = Number(message.key?.toString().slice(1))
      const header = (name: string) => message.headers?.[name]?.toString()
      expect(message.value?.toString()).toBe(`value ${i}`)
      expect([header('x-source'), header(h.errorCode), header(h.originOffset), header(h.attempt)]).toEqual([
        'ops-test',
        'A',
        String(100 + i),
        '0',
      ])
      for (const name of [h.dueAt, h.redrivenAt]) {
        expect(Number(header(name))).toBeGreaterThanOrEqual(before)
        expect(Number(header(name))).toBeLessThanOrEqual(after)
      }
    }

    const second = await ops(['dlq', 'redrive', '--group', t.group, '--error-code', 'A'], t.env)
    expect(second).toMatchObject({ code: 0 })
    expect(second.out).toContain('redrove 0 records')
    expect(await recordCount(t.retry)).toBe(4)
    const list = await ops(['dlq', 'list', '--group', t.group], t.env)
    expect(list.out).toContain(`${t.dlq}: 7 records, 4 already redriven`)
    const redriven = list.out
      .split('\n')
      .slice(2)
      .map((l) => l.split(/\s{2,}/))
      .map((cells) => `${cells[2]}:${cells[7]}`)
    expect(redriven).toEqual(['k0:yes', 'k1:no', 'k2:yes', 'k3:no', 'k4:yes', 'k5:no', 'k6:yes'])

    expect((await ops(['dlq', 'redrive', '--group', t.group, '--key', 'k3'], t.env)).out).toContain('redrove 1 record ')
    expect((await ops(['dlq', 'redrive', '--group', t.group], t.env)).out).toContain('redrove 2 records')
    expect(await recordCount(t.retry)).toBe(7)
    expect((await ops(['dlq', 'list', '--group', t.group], t.env)).out).toContain('7 records, 7 already redriven')

    const audits = await consumeUntil(kafka, { topics: [t.audit], groupId: uniqueName('check'), until: (r) => r.length >= 3 })
    const audit = JSON.parse(audits[0]?.message.value?.toString() ?? '{}') as Record<string, unknown>
    expect(audit).toMatchObject({
      action: 'dlq-redrive',
      group: t.group,
      to: t.retry,
      redriven: 4,
      filter: { errorCode: 'A' },
      stopped: 'done',
    })
    expect(audit.who).toEqual({ user: userInfo().username, host: hostname() })
  })

  it('sends a record the DLQ holds twice (same origin) once, and remembers both as redriven', async () => {
    const t = await newTopology()
    // What a consumer SIGKILLed after its DLQ write and before its commit leaves: the same failure twice.
    const letter = (i: number) => deadLetter(t, i, { key: `k${i}`, code: 'A' })
    await produce(kafka, t.dlq, [letter(0), letter(1), letter(1), letter(2), letter(3), letter(4), letter(3)])
    expect(await recordCount(t.dlq)).toBe(7)

    const dry = await ops(['dlq', 'redrive', '--group', t.group, '--dry-run'], t.env)
    expect(dry.out).toContain(`would redrive 5 records from ${t.dlq} to ${t.retry} (2 duplicates of an origin already selected skipped)`)
    const run = await ops(['dlq', 'redrive', '--group', t.group, '--rate', '200'], t.env)
    expect(run.code).toBe(0)
    expect(run.out).toContain(`redrove 5 records to ${t.retry} (2 duplicates of an origin already selected skipped)`)

    const moved = await consumeUntil(kafka, { topics: [t.retry], groupId: uniqueName('check'), until: (r) => r.length >= 5 })
    expect(await recordCount(t.retry)).toBe(5)
    expect(moved.map((r) => r.message.key?.toString()).sort()).toEqual(['k0', 'k1', 'k2', 'k3', 'k4'])
    expect((await ops(['dlq', 'list', '--group', t.group], t.env)).out).toContain(`${t.dlq}: 7 records, 7 already redriven`)
    expect((await ops(['dlq', 'redrive', '--group', t.group], t.env)).out).toContain('redrove 0 records')
    expect(await recordCount(t.retry)).toBe(5)
  })

  it('stops by itself when the redriven records come back to the DLQ, and remembers what it sent', async () => {
    const t = await newTopology()
    await produce(
      kafka,
      t.dlq,
      Array.from({ length: 100 }, (_, i) => deadLetter(t, i, { key: `k${i}`, code: 'A', partition: i % 2 })),
    )
    // The failing consumer: every redriven record fails again at once and goes back to the DLQ.
    const producer = kafka.producer({ idempotent: true })
    await producer.connect()
    const failing = kafka.consumer({ groupId: uniqueName('failing'), maxWaitTimeInMs: 100 })
    let joined = false
    failing.on(failing.events.GROUP_JOIN, () => (joined = true))
    await failing.connect()
    try {
      await failing.subscribe({ topics: [t.retry], fromBeginning: true })
      await failing.run({
        eachMessage: async ({ message }) => {
          await producer.send({
            topic: t.dlq,
            acks: -1,
            messages: [{ key: message.key, value: message.value, headers: { ...message.headers, [h.attempt]: '1' } }],
          })
        },
      })
      await waitFor(() => joined, { timeoutMs: 20_000 })

      const run = await ops(['dlq', 'redrive', '--group', t.group, '--rate', '20'], t.env)
      expect(run.code).toBe(1)
      expect(run.err).toMatch(/they are failing again/)
      const redrove = Number(/redrove (\d+) records/.exec(run.err)?.[1])
      expect(redrove).toBeGreaterThanOrEqual(20)
      expect(redrove).toBeLessThan(100)

      // What it sent is remembered, exactly: the state was committed before the redrive left its group.
      expect(await recordCount(t.retry)).toBe(redrove)
      expect((await ops(['dlq', 'list', '--group', t.group], t.env)).out).toContain(` records, ${redrove} already redriven`)
      // The next redrive would send the rest and the copies that came back, each origin once (the
      // failing consumer may write a copy twice after a rebalance): waits until every copy is back.
      const dry = await waitFor(
        async () => {
          const out = (await ops(['dlq', 'redrive', '--group', t.group, '--dry-run'], t.env)).out
          return out.includes(`would redrive ${100 - redrove + redrove} records`) ? out : undefined
        },
        { timeoutMs: 20_000, message: 'the dry run never counted the 100 distinct origins' },
      )
      expect(dry).toContain(`from ${t.dlq} to ${t.retry}`)
      expect(await recordCount(t.dlq)).toBeGreaterThanOrEqual(100 + redrove)
    } finally {
      await failing.disconnect()
      await producer.disconnect()
    }
  })
})
