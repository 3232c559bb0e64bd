import type { Kafka, KafkaMessage } from 'kafkajs'
import { waitFor } from './wait-for.ts'

export type ConsumedRecord = { topic: string; partition: number; message: KafkaMessage }

export type ConsumeUntilOptions = {
  topics: string[]
  groupId: string
  /** Stops consuming once this holds for everything received so far. */
  until: (records: ConsumedRecord[]) => boolean
  timeoutMs?: number
  fromBeginning?: boolean
  readUncommitted?: boolean
}

/**
 * Consumes in a real consumer group (committing as it goes) until `until` holds, then
 * leaves the group and answers every record received, in arrival order.
 */
export async function consumeUntil(kafka: Kafka, options: ConsumeUntilOptions): Promise<ConsumedRecord[]> {
  const consumer = kafka.consumer({ groupId: options.groupId, readUncommitted: options.readUncommitted ?? false, maxWaitTimeInMs: 100 })
  const records: ConsumedRecord[] = []
  await consumer.connect()
  try {
    await consumer.subscribe({ topics: options.topics, fromBeginning: options.fromBeginning ?? true })
    await consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        records.push({ topic, partition, message })
      },
    })
    const timeoutMs = options.timeoutMs ?? 20_000
    await waitFor(() => options.until(records), {
      timeoutMs,
      message: `consumeUntil: condition not met within ${timeoutMs} ms; received ${records.length} records from ${options.topics.join(', ')}`,
    })
    return records
  } finally {
    await consumer.disconnect()
  }
}
