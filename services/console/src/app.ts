import { readFileSync } from 'node:fs'
import { OpsError, TopologyError, UsageError } from '@nudj-webhooks/kafka'
import Fastify, { type FastifyInstance } from 'fastify'
import { createCheckToken, sessionCookie } from './check-token.ts'
import type { AppDeps } from './console-deps.ts'
import { registerReadRoutes } from './register-read-routes.ts'
import { registerWriteRoutes } from './register-write-routes.ts'

const asset = (name: string): string => readFileSync(new URL(`../public/${name}`, import.meta.url), 'utf8')
const page = { html: asset('index.html'), js: asset('console.js'), css: asset('console.css') }

// Scripts and styles from this origin only (no inline code, no eval), no frames, no plug-ins.
const contentSecurityPolicy =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// Operators' mistakes and the cluster's state, each with the status that says so.
const opsStatus: Record<string, number> = {
  GROUP_ACTIVE: 409,
  REDRIVE_RUNNING: 409,
  DLQ_MISSING: 409,
  RETRY_TOPIC_MISSING: 409,
  TOPIC_MISSING: 409,
  NO_SUCH_RECORD: 404,
  SCAN_TIMEOUT: 504,
}

/** The console: its page, its session, and the JSON API behind both. Never listens (tests use inject). */
export function buildApp(deps: AppDeps): FastifyInstance {
  const app = Fastify({ logger: false })
  const hasToken = createCheckToken(deps.token)

  app.addHook('onSend', async (_, reply) => {
    reply.header('content-security-policy', contentSecurityPolicy)
    reply.header('x-content-type-options', 'nosniff')
    reply.header('referrer-policy', 'no-referrer')
    reply.header('cache-control', 'no-store')
  })
  app.addHook('onRequest', async (request, reply) => {
    const open = !request.url.startsWith('/api/') || (request.url === '/api/session' && request.method !== 'GET')
    if (open || hasToken(request.headers)) return
    reply.header('www-authenticate', 'Bearer realm="console"')
    return await reply
      .code(401)
      .send({ code: 'UNAUTHORIZED', message: 'log in with the console token (Authorization: Bearer, or the page)' })
  })

  app.setErrorHandler(async (err: Error & { validation?: unknown; statusCode?: number; code?: string }, request, reply) => {
    if (err.validation) return await reply.code(400).send({ code: 'BAD_REQUEST', message: err.message })
    if (err instanceof UsageError) return await reply.code(400).send({ code: 'BAD_REQUEST', message: err.message })
    if (err instanceof OpsError) return await reply.code(opsStatus[err.code] ?? 502).send({ code: err.code, message: err.message })
    if (err instanceof TopologyError) return await reply.code(500).send({ code: err.code, message: err.message })
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
      return await reply.code(err.statusCode).send({ code: err.code ?? 'BAD_REQUEST', message: err.message })
    }
    deps.logger.error({ err, method: request.method, route: request.routeOptions.url }, 'request failed')
    const kafka = err.name.startsWith('KafkaJS') ? `Kafka failed: ${err.message}` : 'internal error; see the console’s log'
    return await reply.code(502).send({ code: 'UPSTREAM_FAILED', message: kafka })
  })
  app.setNotFoundHandler(async (_, reply) => await reply.code(404).send({ code: 'NOT_FOUND', message: 'no such route' }))

  // For the container's healthcheck and the probes: the process answers; Kafka answers.
  app.get('/livez', async () => ({ status: 'ok' }))
  app.get('/readyz', async (_, reply) => {
    const ready = await deps.admin.describeCluster().then(
      () => true,
      () => false,
    )
    return await reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', failing: ready ? [] : ['kafka'] })
  })
  app.get('/', async (_, reply) => await reply.type('text/html; charset=utf-8').send(page.html))
  app.get('/console.js', async (_, reply) => await reply.type('text/javascript; charset=utf-8').send(page.js))
  app.get('/console.css', async (_, reply) => await reply.type('text/css; charset=utf-8').send(page.css))

  // The page sends the token typed into it once, as a header; from then on the HttpOnly cookie stands for it.
  app.post('/api/session', async (request, reply) => {
    if (!hasToken({ authorization: request.headers.authorization })) {
      return await reply.code(401).send({ code: 'UNAUTHORIZED', message: 'that is not the console token' })
    }
    return await reply.header('set-cookie', sessionCookie(deps.token, request.protocol === 'https')).send({ ok: true })
  })
  app.delete('/api/session', async (request, reply) => {
    return await reply
      .code(204)
      .header('set-cookie', sessionCookie('', request.protocol === 'https'))
      .send()
  })
  app.get('/api/session', async () => ({ ok: true }))

  registerReadRoutes(app, deps)
  registerWriteRoutes(app, deps)
  return app
}
