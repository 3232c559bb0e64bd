import Fastify from 'fastify'
import type { Logger } from 'pino'
import type { Registry } from 'prom-client'

export type ReadinessCheck = { name: string; check: () => Promise<boolean> }

export type OpsServerOptions = {
  host: string
  port: number
  registry: Registry
  logger: Logger
  /** All must pass for /readyz to answer 200. */
  readiness: ReadinessCheck[]
  /** Extra JSON documents served as GET routes, e.g. `/openapi.json`. */
  documents?: Record<string, unknown>
}

export type OpsServer = { url: string; close: () => Promise<void> }

/**
 * The ops port, kept off the public one: /metrics (Prometheus), /livez (the process
 * answers), /readyz (its dependencies answer; 503 with the failing checks otherwise).
 */
export async function startOpsServer(options: OpsServerOptions): Promise<OpsServer> {
  const app = Fastify({ logger: false })
  app.get('/livez', async () => ({ status: 'ok' }))
  app.get('/readyz', async (_, reply) => {
    const results = await Promise.all(options.readiness.map(async ({ name, check }) => ({ name, ok: await check().catch(() => false) })))
    const failing = results.filter((r) => !r.ok).map((r) => r.name)
    return reply.code(failing.length === 0 ? 200 : 503).send({ status: failing.length === 0 ? 'ready' : 'not ready', failing })
  })
  app.get('/metrics', async (_, reply) => reply.type(options.registry.contentType).send(await options.registry.metrics()))
  for (const [path, document] of Object.entries(options.documents ?? {})) app.get(path, async () => document)
  const address = await app.listen({ host: options.host, port: options.port })
  options.logger.info({ address }, 'ops server listening')
  return { url: address, close: async () => await app.close() }
}
