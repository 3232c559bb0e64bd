import { listDlq, readDlqRecord, topologyGroup } from '@nudj-webhooks/kafka'
import { Type } from '@sinclair/typebox'
import type { FastifyInstance, FastifyReply } from 'fastify'
import type { AppDeps } from './console-deps.ts'
import { createSlots } from './create-slots.ts'
import { describeGroups } from './describe-groups.ts'
import { parseWindow } from './parse-window.ts'
import { readStory } from './read-story.ts'
import { searchWebhooks } from './search-webhooks.ts'

const text = Type.Optional(Type.String({ minLength: 1, maxLength: 500 }))
const windowQuery = { from: Type.Optional(Type.String({ maxLength: 40 })), until: Type.Optional(Type.String({ maxLength: 40 })) }
const searchQuery = Type.Object({
  webhookId: text,
  userId: text,
  event: text,
  ...windowQuery,
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
})
const groupParams = Type.Object({ group: Type.String({ minLength: 1, maxLength: 249 }) })
const recordParams = Type.Object({
  group: Type.String({ minLength: 1, maxLength: 249 }),
  partition: Type.Integer({ minimum: 0 }),
  offset: Type.Integer({ minimum: 0 }),
})
const heartbeatMs = 15_000

/** Everything the console shows; nothing here changes anything. */
export function registerReadRoutes(app: FastifyInstance, deps: AppDeps): void {
  // Open tails and Kafka scans (a search or a story: a consumer of its own each) are bounded per replica.
  const streams = createSlots(deps.maxStreams)
  const scans = createSlots(deps.maxScans)
  const busy = async (reply: FastifyReply, what: string): Promise<FastifyReply> =>
    await reply
      .code(503)
      .header('retry-after', '5')
      .send({ code: 'BUSY', message: `${what}; try again shortly` })
  const scanning = async <R>(reply: FastifyReply, read: () => Promise<R>): Promise<R | FastifyReply> => {
    const release = scans.take()
    if (!release) return await busy(reply, `${deps.maxScans} searches are reading Kafka already (CONSOLE_MAX_SCANS)`)
    try {
      return await read()
    } finally {
      release()
    }
  }

  // Server-sent events: the latest records, then each new one as the tail reads it.
  app.get('/api/tail', async (request, reply) => {
    const release = streams.take()
    if (!release) return await busy(reply, `${deps.maxStreams} live tails are open already (CONSOLE_MAX_STREAMS)`)
    reply.hijack()
    const out = reply.raw
    out.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      connection: 'keep-alive',
    })
    // A first comment at once: the browser's EventSource opens on it, even before any record.
    out.write(': tail\n\n')
    const send = (record: unknown): boolean => out.write(`event: record\ndata: ${JSON.stringify(record)}\n\n`)
    for (const record of deps.tail.recent()) send(record)
    const unlisten = deps.tail.listen(send)
    const heartbeat = setInterval(() => out.write(': heartbeat\n\n'), heartbeatMs)
    request.raw.once('close', () => {
      clearInterval(heartbeat)
      unlisten()
      release()
    })
  })

  app.get('/api/search', { schema: { querystring: searchQuery } }, async (request, reply) => {
    const q = request.query as { webhookId?: string; userId?: string; event?: string; from?: string; until?: string; limit: number }
    return await scanning(reply, async () => await searchWebhooks(deps, { ...q, ...parseWindow(q, deps.searchWindowMs) }))
  })

  app.get(
    '/api/webhooks/:id',
    { schema: { params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 500 }) }), querystring: Type.Object(windowQuery) } },
    async (request, reply) => {
      const { id } = request.params as { id: string }
      const window = parseWindow(request.query as { from?: string; until?: string }, deps.searchWindowMs)
      return await scanning(reply, async () => await readStory(deps, id, window))
    },
  )

  app.get('/api/groups', async () => await describeGroups(deps))

  app.get(
    '/api/groups/:group/dlq',
    { schema: { params: groupParams, querystring: Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 1_000, default: 100 }) }) } },
    async (request) => {
      const group = topologyGroup(deps.topology, (request.params as { group: string }).group)
      const listing = await listDlq(deps.kafka, deps.admin, group.name, (request.query as { limit: number }).limit)
      const records = await Promise.all(
        listing.records.map(async ({ message, ...r }) => ({
          ...r,
          summary: await deps.reader.summarize(listing.topic, r.partition, message),
        })),
      )
      return { topic: listing.topic, total: listing.total, redriven: listing.redriven, records }
    },
  )

  app.get('/api/groups/:group/dlq/:partition/:offset', { schema: { params: recordParams } }, async (request) => {
    const { group: name, partition, offset } = request.params as { group: string; partition: number; offset: number }
    const group = topologyGroup(deps.topology, name)
    const { topic, record, redriven } = await readDlqRecord(deps.kafka, deps.admin, { group: group.name, partition, offset })
    return { redriven, ...(await deps.reader.detail(topic, partition, record.message)) }
  })
}
