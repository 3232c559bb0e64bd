import { activeMembers, dlqTopicName, retryCoordinator, retryGroupId, retryTopicName } from '@nudj-webhooks/kafka'
import { AssignerProtocol } from 'kafkajs'
import type { ConsoleDeps } from './console-deps.ts'
import { scrapeMetrics, type Sample, type ScrapeSource } from './scrape-metrics.ts'

export type PartitionLag = {
  topic: string
  partition: number
  committed: number | null
  high: number
  /** Messages behind the end; null before the group's first commit there. */
  lag: number | null
  /** Age of the last message the member handled (from its /metrics); null when no source says. */
  lagSeconds: number | null
}
export type Member = { clientId: string; host: string; assignment: Record<string, number[]> }
export type GroupView = {
  group: string
  /** The topology group it belongs to (a retry group belongs to its main group). */
  of: string
  kind: 'main' | 'retry'
  state: string
  members: Member[]
  partitions: PartitionLag[]
  /** Partitions of this group's topics paused now, and why (outage, retry-wait), from the members' /metrics. */
  paused: PausedPartition[]
  dlqRecords: number | null
  /** Why replay would refuse now, when it would. */
  active: string | undefined
}
export type GroupsView = { groups: GroupView[]; metrics: ScrapeSource[]; notes: string[] }

const metricNames = new Set(['webhooks_consumer_lag_seconds', 'webhooks_consumer_paused_partitions'])

/** Each topology group and its retry group: state, members, per-partition lag, paused partitions, DLQ size. */
export async function describeGroups(deps: ConsoleDeps): Promise<GroupsView> {
  const { admin, topology } = deps
  const existing = new Set(await admin.listTopics())
  const highs = new Map<string, Map<number, number>>()
  const high = async (topic: string): Promise<Map<number, number>> => {
    let marks = highs.get(topic)
    if (!marks) {
      marks = new Map((await admin.fetchTopicOffsets(topic)).map((o) => [o.partition, Number(o.high)] as const))
      highs.set(topic, marks)
    }
    return marks
  }
  const { samples, sources } = await scrapeMetrics(deps.metricsUrls, metricNames)
  const specs = topology.groups.flatMap((g) => [
    { group: g.name, of: g.name, kind: 'main' as const, topics: g.topics },
    { group: retryGroupId(g.name), of: g.name, kind: 'retry' as const, topics: g.retrySchedule.map((d) => retryTopicName(g.name, d)) },
  ])
  const described = (await retryCoordinator(async () => await admin.describeGroups(specs.map((s) => s.group)))).groups
  const groups: GroupView[] = []
  for (const spec of specs) {
    const topics = spec.topics.filter((t) => existing.has(t))
    const commits = topics.length === 0 ? [] : await retryCoordinator(async () => await admin.fetchOffsets({ groupId: spec.group, topics }))
    const partitions: PartitionLag[] = []
    for (const topic of topics) {
      for (const [partition, end] of await high(topic)) {
        const offset = Number(commits.find((c) => c.topic === topic)?.partitions.find((p) => p.partition === partition)?.offset ?? -1)
        partitions.push({
          topic,
          partition,
          committed: offset < 0 ? null : offset,
          high: end,
          lag: offset < 0 ? null : Math.max(0, end - offset),
          lagSeconds: lagSecondsOf(samples, [spec.group, spec.of], topic, partition),
        })
      }
    }
    const description = described.find((d) => d.groupId === spec.group)
    const dlq = dlqTopicName(spec.of)
    groups.push({
      ...spec,
      state: description?.state ?? 'Unknown',
      members: (description?.members ?? []).map((m) => ({
        clientId: m.clientId,
        host: m.clientHost.replace(/^\//, ''),
        assignment: decodeAssignment(m.memberAssignment),
      })),
      partitions,
      paused: pausedOf(samples, spec.of, topics),
      dlqRecords:
        spec.kind === 'main' && existing.has(dlq)
          ? (await admin.fetchTopicOffsets(dlq)).reduce((sum, o) => sum + Number(o.high) - Number(o.low), 0)
          : null,
      active: spec.kind === 'main' ? await activeMembers(admin, spec.group) : undefined,
    })
  }
  const notes =
    deps.metricsUrls.length === 0
      ? ['lag in seconds and paused partitions come from the services’ /metrics: set CONSOLE_METRICS_URLS to see them']
      : []
  return { groups, metrics: sources, notes }
}

// A retry consumer's series may carry its own group id or the main group's: either is taken.
function lagSecondsOf(samples: Sample[], groups: string[], topic: string, partition: number): number | null {
  const sample = samples.find(
    (s) =>
      s.name === 'webhooks_consumer_lag_seconds' &&
      groups.includes(s.labels.group ?? '') &&
      s.labels.topic === topic &&
      s.labels.partition === String(partition),
  )
  return sample ? sample.value : null
}

export type PausedPartition = { topic: string; partition: number; reason: string }

/** The partitions of `topics` a member of `group` reports paused (the gauge is 1 while paused). */
export function pausedOf(samples: Sample[], group: string, topics: string[]): PausedPartition[] {
  return samples
    .filter((s) => s.name === 'webhooks_consumer_paused_partitions' && s.labels.group === group && s.value > 0)
    .filter((s) => topics.includes(s.labels.topic ?? ''))
    .map((s) => ({ topic: s.labels.topic ?? '', partition: Number(s.labels.partition), reason: s.labels.reason ?? '?' }))
}

function decodeAssignment(buffer: Buffer): Record<string, number[]> {
  try {
    return AssignerProtocol.MemberAssignment.decode(buffer)?.assignment ?? {}
  } catch {
    return {}
  }
}
