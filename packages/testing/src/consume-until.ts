import type { Kafka, KafkaMessage } from 'kafkajs'
import { waitFor } from './wait-for.ts'

export type ConsumedRecord = { topic: string; partition: number; message: KafkaMessage }

export type ConsumeUntilOptions = {
  topics: string[]
  groupId: string
  /** Stops consuming once this holds for the distinct records received so far. */
  until: (records: ConsumedRecord[]) => boolean
  timeoutMs?: number
  fromBeginning?: boolean
  readUncommitted?: boolean
}

/**
 * Consumes in a real consumer group (committing as it goes) until `until` holds, then
 * leaves the group and answers every distinct record received, in arrival order.
 *
 * Delivery is at least once: after a rebalance or a restarted consumer, records not yet
 * committed come again. They are dropped here (a record is its topic, partition and
 * offset), so counting records counts records, not deliveries.
 */
export async function consumeUntil(kafka: Kafka, options: ConsumeUntilOptions): Promise<ConsumedRecord[]> {
  const consumer = kafka.consumer({ groupId: options.groupId, readUncommitted: options.readUncommitted ?? false, maxWaitTimeInMs: 100 })
  const records: ConsumedRecord[] = []
  const seen = new Set<string>()
  // kafkajs restarts a consumer after a retriable crash; one it does not restart has stopped for good.
  let crash: Error | undefined
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    if (!payload.restart) crash = payload.error
  })
  await consumer.connect()
  try {
    await consumer.subscribe({ topics: options.topics, fromBeginning: options.fromBeginning ?? true })
    await consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        const id = `${topic}/${partition}/${message.offset}`
        if (seen.has(id)) return
        seen.add(id)
        records.push({ topic, partition, message })
      },
    })
    const timeoutMs = options.timeoutMs ?? 20_000
    await waitFor(
      () => {
        if (crash) throw new Error(`consumeUntil: the consumer crashed and will not restart: ${crash.message}`, { cause: crash })
        return options.until(records)
      },
      {
        timeoutMs,
        message: () =>
          `consumeUntil: condition not met within ${timeoutMs} ms; received ${records.length} records from ${options.topics.join(', ')}`,
      },
    )
    return records
  } finally {
    await consumer.disconnect()
  }
}
