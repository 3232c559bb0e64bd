import { SchemaRegistry } from '@kafkajs/confluent-schema-registry'
import { createEnvelopeCodec } from '@nudj-webhooks/contracts'
import type { Infra } from '@nudj-webhooks/testing'
import { Kafka, logLevel } from 'kafkajs'

/** Writes gen-2 bodies straight to a category topic as ingest would (Avro envelope, key = webhook id), each `copies` times. */
export async function produceEnvelopes(
  infra: Infra,
  topic: string,
  records: { webhookId: string; event: string; category: string; body: unknown; copies?: number }[],
): Promise<void> {
  const envelopes = createEnvelopeCodec(new SchemaRegistry({ host: infra.schemaRegistryUrl }))
  const producer = new Kafka({ brokers: infra.kafkaBrokers, logLevel: logLevel.NOTHING }).producer()
  await producer.connect()
  try {
    for (const { webhookId, event, category, body, copies = 1 } of records) {
      const value = await envelopes.encode(topic, {
        webhookId,
        source: 'dev',
        event,
        canonicalEvent: event,
        category,
        generation: 'gen2',
        receivedAt: Date.parse('2026-05-01T10:00:00Z'),
        authScheme: 'gen2-hmac',
        headers: { 'x-nudj-delivery-id': webhookId },
        body: Buffer.from(JSON.stringify(body)),
      })
      await producer.send({ topic, messages: Array.from({ length: copies }, () => ({ key: webhookId, value })) })
    }
  } finally {
    await producer.disconnect()
  }
}
