import { Type, type TObject } from '@sinclair/typebox'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { VerifiedToken } from './authorize-user.ts'
import type { Inbox, Notification } from './create-inbox.ts'
import type { StreamCaps } from './create-stream-caps.ts'
import type { StreamHub } from './create-stream-hub.ts'

type StreamDeps = {
  inbox: Inbox
  hub: StreamHub
  caps: StreamCaps
  heartbeatMs: number
  onStreamOpened?: () => void
  authorize: (request: FastifyRequest, reply: FastifyReply) => Promise<void>
  verified: (request: FastifyRequest) => VerifiedToken | undefined
  params: TObject
}

// setTimeout's longest delay; a token valid for longer ends its stream after ~24 days instead.
const longestTimerMs = 2 ** 31 - 1

const streamQuery = Type.Object({
  token: Type.Optional(Type.String()),
  lastEventId: Type.Optional(Type.String({ pattern: '^[0-9]{1,18}$' })),
})
const eventId = /^[0-9]{1,18}$/

/** One SSE event per notification; the id is the inbox id, which is what Last-Event-ID resumes from. */
export function formatEvent(n: Notification): string {
  const data = JSON.stringify({
    id: n.id,
    rule: n.rule,
    title: n.title,
    body: n.body,
    data: n.data,
    webhookId: n.webhookId,
    occurredAt: n.occurredAt,
    createdAt: n.createdAt,
    readAt: n.readAt,
  })
  return `id: ${n.id}\nevent: notification\ndata: ${data}\n\n`
}

/**
 * `GET /v1/users/:id/notifications/stream`: resumes after `Last-Event-ID` (or `?lastEventId=`,
 * for a first connection that already listed the inbox); without either it starts with what
 * arrives from now on. Heartbeat comments keep idle connections open. A stream takes a slot
 * (create-stream-caps.ts) until it closes, and ends when its token expires or is revoked
 * (the client reconnects, and its token is checked again).
 */
export function registerStreamRoute(app: FastifyInstance, deps: StreamDeps): void {
  app.get(
    '/v1/users/:id/notifications/stream',
    { schema: { params: deps.params, querystring: streamQuery }, preHandler: deps.authorize },
    async (request, reply) => {
      const { id: userId } = request.params as { id: string }
      const header = request.headers['last-event-id']
      const resumeFrom =
        (typeof header === 'string' && header !== '' ? header : undefined) ?? (request.query as { lastEventId?: string }).lastEventId
      if (resumeFrom !== undefined && !eventId.test(resumeFrom)) {
        return await reply.code(400).send({ code: 'BAD_LAST_EVENT_ID', message: 'Last-Event-ID must be a notification id' })
      }
      const token = deps.verified(request)
      if (!token) throw new Error('the stream route ran without a verified token')
      const slot = deps.caps.acquire(userId, request.ip)
      if (!slot.ok) {
        const { status, code, message, retryAfterSeconds } = slot.refusal
        return await reply.code(status).header('retry-after', String(retryAfterSeconds)).send({ code: code, message })
      }
      let lastId: bigint
      try {
        lastId = BigInt(resumeFrom ?? (await deps.inbox.latestId(userId)))
      } catch (err) {
        slot.release()
        throw err
      }

      reply.hijack()
      const res = reply.raw
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      })
      res.socket?.setNoDelay(true)
      // The client reconnects after 2 s if the connection drops (with Last-Event-ID).
      res.write(`retry: 2000\n: connected\n\n`)
      const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), deps.heartbeatMs)
      const expiry = setTimeout(() => res.end(), Math.min(Math.max(token.expiresAt - Date.now(), 0), longestTimerMs))
      const remove = deps.hub.add({
        userId,
        lastId,
        issuedAt: token.issuedAt,
        send: (n) => res.write(formatEvent(n)),
        end: () => res.end(),
      })
      deps.onStreamOpened?.()
      const close = (): void => {
        clearInterval(heartbeat)
        clearTimeout(expiry)
        remove()
        slot.release()
      }
      res.on('close', close)
      // A client gone while the latest id was read: 'close' has been and gone (each step is idempotent).
      if (res.socket === null || res.socket.destroyed) close()
    },
  )
}
