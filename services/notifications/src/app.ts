import { redactUrl } from '@nudj-webhooks/observability'
import { Type } from '@sinclair/typebox'
import Fastify, { type FastifyInstance } from 'fastify'
import type { Logger } from 'pino'
import { createAuthorizeUser } from './authorize-user.ts'
import type { Inbox } from './create-inbox.ts'
import type { StreamCaps } from './create-stream-caps.ts'
import type { StreamHub } from './create-stream-hub.ts'
import type { TokenRevocations } from './create-token-revocations.ts'
import { pageHtml } from './page.ts'
import { sessionCookie } from './session-cookie.ts'
import { registerStreamRoute } from './stream-route.ts'
import type { TokenKeyring } from './user-token.ts'

export type AppDeps = {
  inbox: Inbox
  hub: StreamHub
  caps: StreamCaps
  keyring: TokenKeyring
  revocations: Pick<TokenRevocations, 'notBefore'>
  heartbeatMs: number
  /** Proxies whose X-Forwarded-For / -Proto are believed (addresses or CIDRs); none by default. */
  trustProxy: string[]
  logger: Logger
  onStreamOpened?: () => void
}

const userParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 200 }) })
const listQuery = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
  before: Type.Optional(Type.String({ pattern: '^[0-9]{1,18}$' })),
  token: Type.Optional(Type.String()),
})
const readParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 200 }), nid: Type.String({ pattern: '^[0-9]{1,18}$' }) })

/** The public API: the SSE stream, the inbox, the session cookie, and the page. Never listens (tests use inject). */
export function buildApp(deps: AppDeps): FastifyInstance {
  const app = Fastify({ logger: false, trustProxy: deps.trustProxy.length > 0 ? deps.trustProxy : false })
  const { authorize, verified } = createAuthorizeUser(deps.keyring, deps.revocations)

  app.setErrorHandler(async (err: { validation?: unknown; statusCode?: number; message: string }, request, reply) => {
    if (err.validation) return await reply.code(400).send({ code: 'BAD_REQUEST', message: err.message })
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500
    if (status !== 500) return await reply.code(status).send({ code: 'BAD_REQUEST', message: err.message })
    // The URL may carry a token (`?token=`): only its redacted form is logged.
    deps.logger.error({ err, method: request.method, url: redactUrl(request.url) }, 'request failed')
    return await reply.code(500).send({ code: 'INTERNAL', message: 'internal error; try again' })
  })
  app.setNotFoundHandler(async (_, reply) => await reply.code(404).send({ code: 'NOT_FOUND', message: 'no such route' }))

  app.get('/', async (_, reply) => await reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(pageHtml))

  // The page exchanges the token it was given (in the URL's fragment) for an HttpOnly cookie,
  // which its fetches and its EventSource send from then on: the token leaves the URL.
  app.post('/v1/users/:id/notifications/session', { schema: { params: userParams }, preHandler: authorize }, async (request, reply) => {
    const { id } = request.params as { id: string }
    const token = verified(request)
    if (!token) throw new Error('the session route ran without a verified token')
    const maxAge = Math.floor((token.expiresAt - Date.now()) / 1000)
    return await reply
      .header('set-cookie', sessionCookie(id, token.token, maxAge, request.protocol === 'https'))
      .header('cache-control', 'no-store')
      .send({ userId: id, expiresAt: new Date(token.expiresAt).toISOString() })
  })
  app.delete('/v1/users/:id/notifications/session', { schema: { params: userParams } }, async (request, reply) => {
    const { id } = request.params as { id: string }
    return await reply
      .code(204)
      .header('set-cookie', sessionCookie(id, '', 0, request.protocol === 'https'))
      .send()
  })

  app.get(
    '/v1/users/:id/notifications',
    { schema: { params: userParams, querystring: listQuery }, preHandler: authorize },
    async (request) => {
      const { id } = request.params as { id: string }
      const { limit, before } = request.query as { limit: number; before?: string }
      const items = await deps.inbox.list(id, limit, before)
      const last = items.at(-1)
      return { items, nextBefore: items.length === limit && last ? last.id : null }
    },
  )

  app.post('/v1/users/:id/notifications/:nid/read', { schema: { params: readParams }, preHandler: authorize }, async (request, reply) => {
    const { id, nid } = request.params as { id: string; nid: string }
    const notification = await deps.inbox.markRead(id, nid)
    if (!notification)
      return await reply.code(404).send({ code: 'NOTIFICATION_NOT_FOUND', message: `no notification ${nid} for this user` })
    return notification
  })

  registerStreamRoute(app, { ...deps, authorize, verified, params: userParams })
  return app
}
