import type { Admin } from 'kafkajs'

export type TopicRecords = {
  partitions: number
  /** Records between the low and high watermarks of all partitions. */
  records: number
  /** Each partition's low watermark, where a fresh group starts. */
  low: Map<number, number>
}

/** How many records a topic holds; throws if it does not exist. */
export async function countTopicRecords(admin: Admin, topic: string): Promise<TopicRecords> {
  const offsets = await admin.fetchTopicOffsets(topic)
  const low = new Map(offsets.map((p) => [p.partition, Number(p.low)]))
  return { partitions: offsets.length, records: offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0), low }
}

/** Records a group has committed on a topic (its progress as far as the broker knows). */
export async function countCommittedRecords(admin: Admin, group: string, topic: string, low: Map<number, number>): Promise<number> {
  const [committed] = await admin.fetchOffsets({ groupId: group, topics: [topic] })
  let records = 0
  for (const { partition, offset } of committed?.partitions ?? []) {
    // -1: nothing committed on that partition yet.
    if (Number(offset) >= 0) records += Number(offset) - (low.get(partition) ?? 0)
  }
  return records
}
