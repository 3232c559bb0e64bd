import type { Admin } from 'kafkajs'
import type { TopologyGroup } from './load-topology.ts'
import { OpsError, UsageError } from './ops-errors.ts'
import type { ReplayFrom } from './parse-replay-from.ts'
import { retryCoordinator } from './retry-coordinator.ts'

/** One partition of a replay: where the group is, where it will be, and how many records it will read again. */
export type ReplayRow = { topic: string; partition: number; committed: number | null; target: number; high: number; records: number }

/** Where `from` puts each partition of the group's topics (only the named ones for explicit offsets). */
export async function planReplay(admin: Admin, group: TopologyGroup, from: ReplayFrom): Promise<ReplayRow[]> {
  const listed = new Set(await admin.listTopics())
  const missing = group.topics.filter((t) => !listed.has(t))
  if (missing.length > 0) throw new OpsError('TOPIC_MISSING', `topic ${missing.join(', ')} does not exist (run ops topics ensure)`)
  if (from.kind === 'offsets') {
    for (const { topic } of from.offsets) {
      if (!group.topics.includes(topic))
        throw new UsageError(`--from: group ${group.name} does not read ${topic} (it reads ${group.topics.join(', ')})`)
    }
  }
  const topics = from.kind === 'offsets' ? [...new Set(from.offsets.map((o) => o.topic))] : group.topics
  const committed = await retryCoordinator(async () => await admin.fetchOffsets({ groupId: group.name, topics }))
  const rows: ReplayRow[] = []
  for (const topic of topics) {
    const watermarks = await admin.fetchTopicOffsets(topic)
    const byTime = from.kind === 'time' ? await admin.fetchTopicOffsetsByTimestamp(topic, from.ms) : []
    const commits = committed.find((c) => c.topic === topic)?.partitions ?? []
    for (const w of watermarks.sort((a, b) => a.partition - b.partition)) {
      const low = Number(w.low)
      const high = Number(w.high)
      let target: number
      if (from.kind === 'earliest') target = low
      else if (from.kind === 'time') target = Number(byTime.find((t) => t.partition === w.partition)?.offset ?? high)
      else {
        const named = from.offsets.find((o) => o.topic === topic && o.partition === w.partition)
        if (!named) continue
        if (named.offset < low || named.offset > high) {
          throw new UsageError(`--from: ${topic}:${w.partition} holds offsets ${low} to ${high} (the end), not ${named.offset}`)
        }
        target = named.offset
      }
      const offset = Number(commits.find((c) => c.partition === w.partition)?.offset ?? -1)
      rows.push({ topic, partition: w.partition, committed: offset < 0 ? null : offset, target, high, records: high - target })
    }
  }
  if (from.kind === 'offsets') {
    for (const o of from.offsets) {
      if (!rows.some((r) => r.topic === o.topic && r.partition === o.partition))
        throw new UsageError(`--from: ${o.topic} has no partition ${o.partition}`)
    }
  }
  return rows
}
