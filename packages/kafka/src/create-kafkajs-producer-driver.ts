import { CompressionTypes, type Kafka } from 'kafkajs'
import { createDurableProducer } from './create-durable-producer.ts'
import { RetryableError } from './errors.ts'
import { kafkaErrorType } from './kafka-error-type.ts'
import type { CreateProducerDriver, ProducerDriver } from './producer-driver.ts'

/** Patched kafkajs behind the producer seam: each driver is a connected idempotent producer with a new producer id. */
export function kafkajsProducerDriver(kafka: Kafka): CreateProducerDriver {
  return async (): Promise<ProducerDriver> => {
    const producer = createDurableProducer(kafka)
    await producer.connect()
    return {
      async send(records, { compression }) {
        const byTopic = new Map<string, { key: string; value: Buffer; headers?: Record<string, string> }[]>()
        for (const { topic, key, value, headers } of records) {
          const messages = byTopic.get(topic) ?? []
          messages.push({ key, value, headers })
          byTopic.set(topic, messages)
        }
        try {
          await producer.sendBatch({
            acks: -1,
            compression: compression === 'gzip' ? CompressionTypes.GZIP : CompressionTypes.None,
            topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
          })
        } catch (err) {
          throw new RetryableError(kafkaErrorType(err) ?? (err instanceof Error ? err.name : 'UNKNOWN'), (err as Error).message, {
            cause: err,
          })
        }
      },
      close: async () => await producer.disconnect(),
    }
  }
}
