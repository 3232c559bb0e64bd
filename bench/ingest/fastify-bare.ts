// Variant (a): the HTTP ceiling. Fastify reads the body as bytes and answers 200 without
// touching Kafka, so whatever the other variants lose against it is the cost of writing.
import Fastify from 'fastify'
import { loadVariantConfig } from './config.ts'

const config = loadVariantConfig(process.argv.slice(2), process.env)
const app = Fastify({ logger: false })
app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) => done(null, body))
app.get('/healthz', async () => ({ ok: true }))
app.post<{ Params: { source: string }; Body: Buffer }>('/webhooks/nudj/:source', async (req, reply) => {
  // The length is read so the body is really consumed, as every other variant does.
  return reply.code(200).send({ received: req.body.length })
})

process.once('SIGTERM', () => {
  app.close().then(
    () => process.exit(0),
    () => process.exit(1),
  )
})
await app.listen({ host: '127.0.0.1', port: config.port })
