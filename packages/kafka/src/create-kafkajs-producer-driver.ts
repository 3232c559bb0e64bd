import { CompressionTypes, type Kafka } from 'kafkajs'
import { createDurableProducer } from './create-durable-producer.ts'
import { RetryableError } from './errors.ts'
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
          throw new RetryableError(kafkaErrorType(err), (err as Error).message, { cause: err })
        }
      },
      close: async () => await producer.disconnect(),
    }
  }
}

/** Kafka's name for the error (kafkajs keeps it as `type`, under wrappers' `cause`), else the error's name. */
function kafkaErrorType(err: unknown): string {
  for (let e = err as { type?: unknown; cause?: unknown; name?: unknown } | undefined, depth = 0; e && depth < 5; depth++) {
    if (typeof e.type === 'string') return e.type
    e = e.cause as typeof e
  }
  return typeof (err as Error).name === 'string' ? (err as Error).name : 'UNKNOWN'
}
