import { SchemaRegistry } from '@kafkajs/confluent-schema-registry'
import {
  allCategoryTopics,
  createEnvelopeCodec,
  normalizeNudjWebhook,
  topicForCategory,
  type WebhookReceived,
} from '@nudj-webhooks/contracts'
import { ensureTopics } from '@nudj-webhooks/kafka'
import { createEventStream, createWorld } from '@nudj-webhooks/nudj-sim'
import { Partitioners, type Kafka } from 'kafkajs'

export type ProduceEnvelopesOptions = {
  prefix: string
  records: number
  partitions: number
  registryUrl: string
  poolSize?: number
  say: (line: string) => void
}

const recordsPerSend = 10_000

/**
 * Fills the category topics under `prefix` the way ingest writes them: Avro `WebhookReceived`
 * envelopes (through the registry) around realistic bodies of both generations from the
 * simulator, each on its category's topic. A pool of encoded envelopes is cycled through;
 * every record has a key (webhook id) of its own, so the ledger sees each as new.
 */
export async function produceEnvelopes(kafka: Kafka, options: ProduceEnvelopesOptions): Promise<{ seconds: number; meanBytes: number }> {
  const { prefix, records, say } = options
  const admin = kafka.admin()
  await admin.connect()
  await ensureTopics(
    admin,
    allCategoryTopics(prefix).map((topic) => ({ topic, partitions: options.partitions, replicationFactor: 1 })),
  )
  await admin.disconnect()

  const envelopes = createEnvelopeCodec(new SchemaRegistry({ host: options.registryUrl }))
  const stream = createEventStream(createWorld({ seed: 5 }), { gen1Share: 0.5 })
  const pool: { topic: string; value: Buffer }[] = []
  for (let i = 0; i < (options.poolSize ?? 20_000); i++) {
    const sim = stream.next()
    const body = Buffer.from(JSON.stringify(sim.body))
    const headers: Record<string, string> =
      sim.generation === 'gen2' ? { 'x-nudj-delivery-id': sim.deliveryId, 'x-nudj-event': sim.name } : {}
    const event = normalizeNudjWebhook(body, headers, { source: 'bench' })
    const topic = topicForCategory(event.category, prefix)
    const envelope: WebhookReceived = {
      webhookId: event.webhookId,
      source: 'bench',
      event: event.event,
      canonicalEvent: event.canonical,
      category: event.category,
      generation: event.generation,
      receivedAt: Date.now(),
      authScheme: sim.generation === 'gen2' ? 'gen2-hmac' : 'gen1-static',
      headers,
      body,
    }
    pool.push({ topic, value: await envelopes.encode(topic, envelope) })
  }
  const meanBytes = Math.round(pool.reduce((sum, r) => sum + r.value.length, 0) / pool.length)

  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner })
  await producer.connect()
  const began = performance.now()
  let lastSaid = began
  try {
    for (let sent = 0; sent < records;) {
      const count = Math.min(recordsPerSend, records - sent)
      const byTopic = new Map<string, { key: string; value: Buffer }[]>()
      for (let i = sent; i < sent + count; i++) {
        const record = pool[i % pool.length] as { topic: string; value: Buffer }
        const list = byTopic.get(record.topic) ?? []
        byTopic.set(record.topic, list)
        list.push({ key: `bench_${i.toString(16).padStart(12, '0')}`, value: record.value })
      }
      await producer.sendBatch({ acks: -1, topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })) })
      sent += count
      if (performance.now() - lastSaid >= 3_000 || sent === records) {
        say(`produced ${sent.toLocaleString('en')} of ${records.toLocaleString('en')}`)
        lastSaid = performance.now()
      }
    }
  } finally {
    await producer.disconnect()
  }
  return { seconds: (performance.now() - began) / 1000, meanBytes }
}
