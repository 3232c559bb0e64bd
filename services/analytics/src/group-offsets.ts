import { retryCoordinator } from '@nudj-webhooks/kafka'
import type { Admin } from 'kafkajs'
import { RebuildError } from './rebuild-error.ts'

export type PartitionEnd = { topic: string; partition: number; low: number; high: number }

/** The earliest and the next offset of every partition of the topics. */
export async function partitionEnds(admin: Admin, topics: string[]): Promise<PartitionEnd[]> {
  const ends: PartitionEnd[] = []
  for (const topic of topics) {
    for (const p of await admin.fetchTopicOffsets(topic))
      ends.push({ topic, partition: p.partition, low: Number(p.low), high: Number(p.high) })
  }
  return ends
}

/**
 * Deletes the group's committed offsets (the group itself, which Kafka refuses while it
 * has members), so that the runtime, subscribed from the beginning, starts every partition
 * at its earliest record. One request instead of a join per topic.
 */
export async function forgetOffsets(admin: Admin, group: string): Promise<void> {
  try {
    await retryCoordinator(() => admin.deleteGroups([group]))
  } catch (err) {
    const results = (err as { groups?: { error?: { type?: string } }[] }).groups ?? []
    const type = results[0]?.error?.type
    if (type === 'GROUP_ID_NOT_FOUND') return
    if (type === 'NON_EMPTY_GROUP')
      throw new RebuildError('GROUP_ACTIVE', `consumer group ${group} gained a member: stop the analytics service first`)
    throw new RebuildError('GROUP_RESET_FAILED', `could not reset the offsets of ${group}: ${(err as Error).message}`, { cause: err })
  }
}

/** Records of `ends` the group has committed past so far. */
export async function committedSoFar(admin: Admin, group: string, topics: string[], ends: PartitionEnd[]): Promise<number> {
  const committed = await retryCoordinator(() => admin.fetchOffsets({ groupId: group, topics }))
  const offsetOf = new Map<string, number>()
  for (const t of committed) for (const p of t.partitions) offsetOf.set(`${t.topic}:${p.partition}`, Number(p.offset))
  let done = 0
  for (const end of ends) {
    const offset = offsetOf.get(`${end.topic}:${end.partition}`) ?? -1
    done += Math.min(Math.max(offset, end.low), end.high) - end.low
  }
  return done
}
