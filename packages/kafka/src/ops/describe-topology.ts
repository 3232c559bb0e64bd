import type { Admin } from 'kafkajs'
import { retryGroupId, retryTopicName } from '../group-topics.ts'
import type { Topology } from './load-topology.ts'
import { describeExistingTopics } from './plan-topics.ts'
import { topologyTopicSpecs, type TopologyTopicSpec } from './topology-topic-specs.ts'
import { retryCoordinator } from './retry-coordinator.ts'

export type TopicDescription = {
  spec: TopologyTopicSpec
  /** Undefined when the topic does not exist. */
  actual?: { partitions: number; replicationFactor: number; retentionMs: string | undefined; records: number }
}
/** A group's position on one topic: committed vs high watermark, summed over partitions. */
export type TopicLag = { topic: string; lag: number; partitions: number; uncommitted: number; missing: boolean }
export type GroupDescription = { groupId: string; state: string; members: number; topics: TopicLag[] }

/** Every topic of the topology with its size, and every group (and its retry group) with its lag. */
export async function describeTopology(
  admin: Admin,
  topology: Topology,
): Promise<{ topics: TopicDescription[]; groups: GroupDescription[] }> {
  const specs = topologyTopicSpecs(topology)
  const existing = await describeExistingTopics(
    admin,
    specs.map((s) => s.topic),
    ['retention.ms'],
  )
  const watermarks = new Map<string, { partition: number; low: number; high: number }[]>()
  for (const topic of existing.keys()) {
    const offsets = await admin.fetchTopicOffsets(topic)
    watermarks.set(
      topic,
      offsets.map((o) => ({ partition: o.partition, low: Number(o.low), high: Number(o.high) })),
    )
  }
  const topics = specs.map((spec): TopicDescription => {
    const actual = existing.get(spec.topic)
    if (!actual) return { spec }
    const records = (watermarks.get(spec.topic) ?? []).reduce((sum, w) => sum + w.high - w.low, 0)
    return { spec, actual: { ...actual, retentionMs: actual.config['retention.ms'], records } }
  })

  const groupTopics = topology.groups.flatMap((g) => [
    { groupId: g.name, topics: g.topics },
    { groupId: retryGroupId(g.name), topics: g.retrySchedule.map((d) => retryTopicName(g.name, d)) },
  ])
  const described =
    groupTopics.length === 0
      ? []
      : (await retryCoordinator(async () => await admin.describeGroups(groupTopics.map((g) => g.groupId)))).groups
  const groups: GroupDescription[] = []
  for (const { groupId, topics: names } of groupTopics) {
    const present = names.filter((t) => watermarks.has(t))
    const committed = present.length === 0 ? [] : await retryCoordinator(async () => await admin.fetchOffsets({ groupId, topics: present }))
    const group = described.find((d) => d.groupId === groupId)
    groups.push({
      groupId,
      state: group?.state ?? 'Unknown',
      members: group?.members.length ?? 0,
      topics: names.map((topic): TopicLag => {
        const marks = watermarks.get(topic)
        if (!marks) return { topic, lag: 0, partitions: 0, uncommitted: 0, missing: true }
        const commits = committed.find((c) => c.topic === topic)?.partitions ?? []
        let lag = 0
        let uncommitted = 0
        for (const { partition, high } of marks) {
          const offset = Number(commits.find((c) => c.partition === partition)?.offset ?? -1)
          if (offset < 0) uncommitted += 1
          else lag += Math.max(0, high - offset)
        }
        return { topic, lag, partitions: marks.length, uncommitted, missing: false }
      }),
    })
  }
  return { topics, groups }
}
