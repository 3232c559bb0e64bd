import type { Kafka } from 'kafkajs'
import { OpsError } from './ops-errors.ts'

export type GroupOffset = { topic: string; partition: number; offset: number }

/**
 * Commits offsets for a stopped consumer group in one request: joins the group as its only
 * member with every partition paused, commits, and leaves. Faster than kafkajs's
 * admin.setOffsets (one join per topic, each waiting out a fetch), and a member that joins
 * meanwhile makes the commit fail rather than race it.
 */
export async function commitGroupOffsets(kafka: Kafka, groupId: string, offsets: GroupOffset[], timeoutMs = 30_000): Promise<void> {
  const topics = [...new Set(offsets.map((o) => o.topic))]
  const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false, maxWaitTimeInMs: 100 })
  let onJoin: (assignment: Record<string, number[]>) => void = () => undefined
  const joined = new Promise<Record<string, number[]>>((resolve, reject) => {
    onJoin = resolve
    setTimeout(
      () => reject(new OpsError('JOIN_TIMEOUT', `could not join group ${groupId} within ${timeoutMs / 1000} s`)),
      timeoutMs,
    ).unref()
  })
  joined.catch(() => undefined) // awaited below; it may fail while connecting
  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => onJoin(payload.memberAssignment))
  try {
    await consumer.connect()
    await consumer.subscribe({ topics, fromBeginning: true })
    // Nothing is read and nothing is committed but what is asked.
    await consumer.run({ autoCommit: false, eachBatch: async () => undefined })
    consumer.pause(topics.map((topic) => ({ topic })))
    const assignment = await joined
    const unassigned = offsets.filter((o) => !assignment[o.topic]?.includes(o.partition))
    if (unassigned.length > 0) {
      throw new OpsError('GROUP_ACTIVE', `another member joined group ${groupId} (this one got ${JSON.stringify(assignment)})`)
    }
    await consumer.commitOffsets(offsets.map((o) => ({ topic: o.topic, partition: o.partition, offset: String(o.offset) })))
  } finally {
    await consumer.disconnect()
  }
}
