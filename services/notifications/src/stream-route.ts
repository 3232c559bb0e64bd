import { Type, type TObject } from '@sinclair/typebox'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Inbox, Notification } from './create-inbox.ts'
import type { StreamHub } from './create-stream-hub.ts'

type StreamDeps = {
  inbox: Inbox
  hub: StreamHub
  heartbeatMs: number
  maxStreams: number
  onStreamOpened?: () => void
  authorize: (request: FastifyRequest, reply: FastifyReply) => Promise<void>
  params: TObject
}

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
 * arrives from now on. Heartbeat comments keep idle connections open.
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
        return await reply.code(400).send({ error: 'BAD_LAST_EVENT_ID', message: 'Last-Event-ID must be a notification id' })
      }
      if (deps.hub.count() >= deps.maxStreams) {
        return await reply.code(503).header('retry-after', '5').send({ error: 'TOO_MANY_STREAMS', message: 'this replica is full' })
      }
      const lastId = BigInt(resumeFrom ?? (await deps.inbox.latestId(userId)))

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
      const remove = deps.hub.add({ userId, lastId, send: (n) => res.write(formatEvent(n)), end: () => res.end() })
      deps.onStreamOpened?.()
      res.on('close', () => {
        clearInterval(heartbeat)
        remove()
      })
    },
  )
}
