import { randomUUID } from 'node:crypto'
import type { Admin, Kafka } from 'kafkajs'
import type { Logger } from 'pino'
import type { RecordReader, RecordSummary } from './create-record-reader.ts'

export type Tail = {
  /** The latest records, oldest first. */
  recent: () => RecordSummary[]
  /** Hears each new record; answers the unsubscribe. */
  listen: (listener: (record: RecordSummary) => void) => () => void
  close: () => Promise<void>
}

/**
 * Follows `topics` from their end as they are when it starts: a consumer group of its own
 * (a random id, never committing, deleted on close), so it takes nothing from the services'
 * groups. Topics created after the start are not followed until a restart.
 */
export async function createTail(o: {
  kafka: Kafka
  admin: Admin
  topics: string[]
  reader: RecordReader
  size: number
  logger: Logger
}): Promise<Tail> {
  const existing = new Set(await o.admin.listTopics())
  const topics = o.topics.filter((t) => existing.has(t))
  const missing = o.topics.filter((t) => !existing.has(t))
  if (missing.length > 0) o.logger.warn({ missing }, 'topics not followed by the live tail (they do not exist yet)')
  const records: RecordSummary[] = []
  const listeners = new Set<(record: RecordSummary) => void>()
  const groupId = `console-tail-${randomUUID()}`
  const consumer = o.kafka.consumer({ groupId, maxWaitTimeInMs: 250, allowAutoTopicCreation: false })
  const ends = await Promise.all(topics.map(async (topic) => ({ topic, offsets: await o.admin.fetchTopicOffsets(topic) })))
  if (topics.length > 0) {
    await consumer.connect()
    await consumer.subscribe({ topics })
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ topic, partition, message }) => {
        const record = await o.reader.summarize(topic, partition, message)
        records.push(record)
        if (records.length > o.size) records.shift()
        for (const listener of listeners) listener(record)
      },
    })
    // From the end as it was before the group joined: nothing written since is missed.
    for (const { topic, offsets } of ends) for (const { partition, high } of offsets) consumer.seek({ topic, partition, offset: high })
  }
  return {
    recent: () => [...records],
    listen(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    async close() {
      listeners.clear()
      if (topics.length === 0) return
      await consumer.disconnect()
      await o.admin.deleteGroups([groupId]).catch(() => undefined)
    },
  }
}
