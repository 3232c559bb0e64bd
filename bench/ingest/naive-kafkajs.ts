// Variant (b): the obvious implementation. One awaited idempotent kafkajs send per request,
// acks from all in-sync replicas, 200 once it resolves; no batching across requests.
import Fastify from 'fastify'
import { Kafka, logLevel, Partitioners } from 'kafkajs'
import { loadVariantConfig } from './config.ts'

const config = loadVariantConfig(process.argv.slice(2), process.env)
const kafka = new Kafka({ clientId: 'bench-naive-kafkajs', brokers: config.brokers, logLevel: logLevel.ERROR })
const producer = kafka.producer({ idempotent: true, createPartitioner: Partitioners.DefaultPartitioner })
await producer.connect()

const app = Fastify({ logger: false })
app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) => done(null, body))
app.get('/healthz', async () => ({ ok: true }))
app.post<{ Params: { source: string }; Body: Buffer }>('/webhooks/nudj/:source', async (req, reply) => {
  const deliveryId = req.headers['x-nudj-delivery-id']
  const key = typeof deliveryId === 'string' ? deliveryId : req.params.source
  await producer.send({ topic: config.topic, acks: -1, messages: [{ key, value: req.body }] })
  return reply.code(200).send({ ok: true })
})

process.once('SIGTERM', () => {
  app
    .close()
    .then(() => producer.disconnect())
    .then(
      () => process.exit(0),
      () => process.exit(1),
    )
})
await app.listen({ host: '127.0.0.1', port: config.port })
