import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry'
import { createAvroCodec, type AvroCodec } from './create-avro-codec.ts'
import { webhookReceivedSchema, type WebhookReceived } from './webhook-received.ts'
import { webhookRejectedSchema, type WebhookRejected } from './webhook-rejected.ts'

export type EnvelopeCodec = AvroCodec<WebhookReceived>

/** The WebhookReceived codec (nudj.webhooks.<category>). */
export function createEnvelopeCodec(registry: SchemaRegistry): EnvelopeCodec {
  return createAvroCodec<WebhookReceived>(registry, webhookReceivedSchema)
}

/** The WebhookRejected codec (nudj.webhooks.rejected, audit only). */
export function createRejectionCodec(registry: SchemaRegistry): AvroCodec<WebhookRejected> {
  return createAvroCodec<WebhookRejected>(registry, webhookRejectedSchema)
}
