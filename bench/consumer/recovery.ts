// How long a SIGKILLed consumer's partitions go unserved. Two members of one group (the
// runtime, bench/consumer/recovery-member.ts) share a topic; one is killed and a record is
// written at once to each of its partitions; the figures are the times from the kill to the
// survivor's handling of the first and of the last of them. Each trial runs under kafkajs'
// former 30 s session timeout and under the shared default (CONSUMER_SESSION_TIMEOUT, 6 s).
// Usage: node bench/consumer/recovery.ts [--repeats 3] [--partitions 4]
import { spawn, type ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { ensureGroupTopics, retryGroupId } from '@nudj-webhooks/kafka'
import { produce, waitFor } from '@nudj-webhooks/testing'
import { AssignerProtocol, Kafka, logLevel, type Admin } from 'kafkajs'
import { deleteTopicsWithPrefix } from '../lib/delete-topics.ts'
import { assertLoopback, localInfra } from '../lib/local-infra.ts'
import { describeOptions, parseNumberOptions, type NumberOption } from '../lib/parse-options.ts'
import { describeRun, writeResults } from '../lib/write-results.ts'

const spec = {
  repeats: { flag: 'repeats', default: 3, min: 1, max: 10, help: 'trials per session timeout' },
  partitions: { flag: 'partitions', default: 4, min: 2, max: 12, help: 'partitions of the topic the two members share' },
} satisfies Record<string, NumberOption>
const sessions = [
  { name: 'kafkajs-default-30s', sessionTimeoutMs: 30_000 },
  { name: 'shared-default-6s', sessionTimeoutMs: 6_000 },
]
const memberScript = fileURLToPath(new URL('./recovery-member.ts', import.meta.url))

type Member = { child: ChildProcess; handledAt: Map<string, number>; exited: Promise<void> }
type Trial = { first_ms: number; all_ms: number; orphaned_partitions: number[] }

function startMember(
  brokers: string[],
  name: string,
  options: { topic: string; group: string; partitions: number; sessionTimeoutMs: number },
): Member {
  const child = spawn(
    process.execPath,
    [
      memberScript,
      ...['--brokers', brokers.join(','), '--topic', options.topic, '--group', options.group, '--member', name],
      ...['--partitions', String(options.partitions), '--session-timeout-ms', String(options.sessionTimeoutMs)],
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  )
  const handledAt = new Map<string, number>()
  createInterface({ input: child.stdout }).on('line', (line) => {
    const record = JSON.parse(line) as { key: string; at: number }
    handledAt.set(record.key, record.at)
  })
  return { child, handledAt, exited: new Promise((resolve) => child.once('exit', () => resolve())) }
}

/** The group's state and each member's partitions of the topic, by client id. */
async function assignmentOf(admin: Admin, group: string, topic: string): Promise<{ state: string; members: Record<string, number[]> }> {
  const [description] = (await admin.describeGroups([group])).groups
  const members: Record<string, number[]> = {}
  for (const m of description?.members ?? [])
    members[m.clientId] = [...(AssignerProtocol.MemberAssignment.decode(m.memberAssignment)?.assignment[topic] ?? [])].sort((x, y) => x - y)
  return { state: description?.state ?? 'Unknown', members }
}

async function trial(
  kafka: Kafka,
  admin: Admin,
  brokers: string[],
  options: { topic: string; group: string; partitions: number; sessionTimeoutMs: number },
): Promise<Trial> {
  const { topic, group, partitions } = options
  await ensureGroupTopics(kafka, { group, topics: [topic], retrySchedule: [1_000], partitions, replicationFactor: 1, retentionHours: 1 })
  const a = startMember(brokers, 'a', options)
  let b: Member | undefined
  try {
    await waitFor(async () => (await assignmentOf(admin, group, topic)).members.a?.length === partitions, {
      timeoutMs: 60_000,
      message: 'a never joined',
    })
    b = startMember(brokers, 'b', options)
    const shared = await waitFor(
      async () => {
        const { state, members } = await assignmentOf(admin, group, topic)
        return state === 'Stable' && (members.a?.length ?? 0) > 0 && (members.b?.length ?? 0) > 0 ? members : undefined
      },
      { timeoutMs: 60_000, message: 'the two members never shared the partitions' },
    )
    const orphaned = shared.b!
    // Both are consuming: a record on every partition handled by one or the other.
    const warm = Array.from({ length: partitions }, (_, p) => ({ key: `warm-${p}`, value: 'x', partition: p }))
    await produce(kafka, topic, warm)
    await waitFor(() => warm.every((r) => a.handledAt.has(r.key) || b!.handledAt.has(r.key)), { timeoutMs: 30_000 })

    const killedAt = Date.now()
    b.child.kill('SIGKILL')
    const after = orphaned.map((p) => ({ key: `after-${p}`, value: 'x', partition: p }))
    await produce(kafka, topic, after)
    const times = await waitFor(
      () => (after.every((r) => a.handledAt.has(r.key)) ? after.map((r) => a.handledAt.get(r.key)! - killedAt) : undefined),
      {
        timeoutMs: options.sessionTimeoutMs + 60_000,
        message: "the survivor never handled the killed member's partitions",
      },
    )
    return { first_ms: Math.min(...times), all_ms: Math.max(...times), orphaned_partitions: orphaned }
  } finally {
    b?.child.kill('SIGKILL')
    a.child.kill('SIGTERM')
    const stopped = await Promise.race([a.exited.then(() => true), new Promise((resolve) => setTimeout(resolve, 15_000, false))])
    if (!stopped) a.child.kill('SIGKILL')
    await Promise.all([a.exited, b?.exited])
    await admin.deleteGroups([group, retryGroupId(group)]).catch(() => undefined)
  }
}

const summary = (values: number[]) => {
  const sorted = [...values].sort((x, y) => x - y)
  return { min: sorted[0], median: sorted[Math.floor(sorted.length / 2)], max: sorted.at(-1) }
}

async function main(argv: string[]): Promise<number> {
  const { values, help } = parseNumberOptions(argv, spec)
  if (help) {
    console.log(`node bench/consumer/recovery.ts [options]\n${describeOptions(spec)}`)
    return 0
  }
  const infra = localInfra()
  assertLoopback(infra)
  const header = await describeRun(['node bench/consumer/recovery.ts', ...argv].join(' '))
  const kafka = new Kafka({ clientId: 'bench-recovery', brokers: infra.kafkaBrokers, logLevel: logLevel.ERROR })
  const admin = kafka.admin()
  await admin.connect()
  const prefix = `bench.recovery.${Date.now()}`
  const trials: Record<string, Trial[]> = Object.fromEntries(sessions.map((s) => [s.name, []]))
  try {
    // Interleaved, so that a change in the machine's load weighs on both alike.
    for (let i = 0; i < values.repeats; i++)
      for (const session of sessions) {
        const group = `${prefix}.${session.name}-${i}`
        const result = await trial(kafka, admin, infra.kafkaBrokers, {
          topic: `${group}.in`,
          group,
          partitions: values.partitions,
          sessionTimeoutMs: session.sessionTimeoutMs,
        })
        console.error(`recovery: ${session.name} trial ${i + 1}: first ${result.first_ms} ms, all ${result.all_ms} ms`)
        trials[session.name]!.push(result)
      }
  } finally {
    await admin.disconnect()
    await deleteTopicsWithPrefix(infra.kafkaBrokers, prefix)
  }
  const results = {
    ...header,
    method:
      "two runtime members (effect none) share a topic; one is SIGKILLed and a record is written at once to each of its partitions; first_ms/all_ms: from the kill to the survivor's handling of the first/last of them",
    settings: { partitions: values.partitions, repeats: values.repeats },
    sessions: Object.fromEntries(
      sessions.map((s) => [
        s.name,
        {
          session_timeout_ms: s.sessionTimeoutMs,
          heartbeat_interval_ms: Math.max(500, s.sessionTimeoutMs / 10),
          first_ms: summary(trials[s.name]!.map((t) => t.first_ms)),
          all_ms: summary(trials[s.name]!.map((t) => t.all_ms)),
          trials: trials[s.name],
        },
      ]),
    ),
  }
  console.log(JSON.stringify(results, null, 2))
  console.error(`recovery: written to ${await writeResults('consumer-recovery', results)}`)
  return 0
}

process.exitCode = await main(process.argv.slice(2))
