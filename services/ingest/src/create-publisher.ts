import type { WebhookReceived } from '@nudj-webhooks/contracts'
import type { BatchingProducer } from '@nudj-webhooks/kafka'
import type { IngestMetrics } from './create-ingest-metrics.ts'

export type PublishFailure = 'SCHEMA_REGISTRY_UNAVAILABLE' | 'KAFKA_TIMEOUT' | 'KAFKA_UNAVAILABLE' | 'OVERLOADED'

/** Why a record is not (known to be) in Kafka; every case is worth a retry by Nudj. */
export class PublishError extends Error {
  readonly code: PublishFailure
  readonly retryable = true

  constructor(code: PublishFailure, message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = 'PublishError'
    this.code = code
  }
}

export type Publish = (topic: string, envelope: WebhookReceived, headers: Record<string, string>) => Promise<void>

type Encode = (topic: string, envelope: WebhookReceived) => Promise<Buffer>

/**
 * Encodes the envelope through the registry and resolves once Kafka acknowledged it, or
 * rejects with a PublishError after `timeoutMs` (a record that is acknowledged later
 * stays in Kafka, and Nudj's retry makes a duplicate that consumers drop by webhook id).
 */
export function createPublisher(encode: Encode, producer: BatchingProducer, timeoutMs: number, metrics: IngestMetrics): Publish {
  return async (topic, envelope, headers) => {
    let value: Buffer
    try {
      value = await encode(topic, envelope)
    } catch (err) {
      throw new PublishError('SCHEMA_REGISTRY_UNAVAILABLE', `could not encode through the schema registry: ${(err as Error).message}`, {
        cause: err,
      })
    }
    const began = performance.now()
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new PublishError('KAFKA_TIMEOUT', `Kafka did not acknowledge within ${timeoutMs} ms`)), timeoutMs)
    })
    try {
      await Promise.race([producer.send({ topic, key: envelope.webhookId, value, headers }), timeout])
      metrics.produceDuration.observe((performance.now() - began) / 1000)
    } catch (err) {
      if (err instanceof PublishError) throw err
      const code = (err as { code?: string }).code === 'PRODUCER_OVERLOADED' ? 'OVERLOADED' : 'KAFKA_UNAVAILABLE'
      throw new PublishError(code, (err as Error).message, { cause: err })
    } finally {
      clearTimeout(timer)
    }
  }
}
