import type { Static } from '@sinclair/typebox'
import Fastify, { type FastifyInstance } from 'fastify'
import type pg from 'pg'
import type { Logger } from 'pino'
import { createBearerAuth } from './create-bearer-auth.ts'
import { sendError } from './error-catalog.ts'
import { queryChallengeFunnel, queryRewardLifecycle, queryTopUsers, queryUser } from './query-lists.ts'
import { schemas } from './query-schemas.ts'
import { querySummary, queryTimeSeries } from './query-summary.ts'

export type AppDeps = {
  /** The query API's own pool, under ANALYTICS_QUERY_TIMEOUT. */
  pool: pg.Pool
  logger: Logger
  /** Bearer tokens admitted on every route; none: every request is refused. */
  apiTokens: string[]
}

const paged = <T>(items: T[], total: number, { limit, offset }: { limit: number; offset: number }) => ({
  items,
  page: { limit, offset, total, next: offset + limit < total ? offset + limit : null },
})

/** The query API over the projections; never listens by itself (start-analytics does; tests use inject). */
export function buildApp(deps: AppDeps): FastifyInstance {
  const { pool } = deps
  // Unknown parameters are refused (400), not silently dropped.
  const app = Fastify({ logger: false, ajv: { customOptions: { removeAdditional: false } }, routerOptions: { ignoreTrailingSlash: true } })

  // Before anything else, unknown routes included: nothing answers without a token.
  app.addHook('onRequest', createBearerAuth(deps.apiTokens))
  app.setErrorHandler((err: Error & { validation?: unknown; statusCode?: number; code?: string }, _request, reply) => {
    if (err.validation) return sendError(reply, 'INVALID_REQUEST', err.message)
    if (err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500)
      return sendError(reply, 'INVALID_REQUEST', err.message)
    // 57014 query_canceled: statement_timeout (the pool's) cancelled it on the server.
    if (err.code === '57014') {
      deps.logger.warn({ err }, 'query cancelled by the statement timeout')
      return sendError(reply, 'QUERY_TIMEOUT')
    }
    const connection = err.code === 'ECONNREFUSED' || /^(08|57P)/.test(err.code ?? '') || /timeout|terminated/i.test(err.message)
    deps.logger.error({ err }, 'query failed')
    return sendError(reply, connection ? 'DATABASE_UNAVAILABLE' : 'INTERNAL_ERROR')
  })
  app.setNotFoundHandler((_request, reply) => sendError(reply, 'NOT_FOUND', 'no such route; see services/analytics/README.md'))

  const checkRange = (q: { from?: string; to?: string }): string | undefined =>
    q.from && q.to && Date.parse(q.from) >= Date.parse(q.to) ? 'querystring/from must be before querystring/to' : undefined

  app.get<{ Querystring: Static<typeof schemas.summary> }>(
    '/v1/summary',
    { schema: { querystring: schemas.summary } },
    async (request, reply) => {
      const problem = checkRange(request.query)
      if (problem) return sendError(reply, 'INVALID_REQUEST', problem)
      return await querySummary(pool, request.query)
    },
  )

  app.get<{ Querystring: Static<typeof schemas.timeseries> }>(
    '/v1/timeseries',
    { schema: { querystring: schemas.timeseries } },
    async (request, reply) => {
      const problem = checkRange(request.query)
      if (problem) return sendError(reply, 'INVALID_REQUEST', problem)
      const { items, total } = await queryTimeSeries(pool, request.query)
      return { type: request.query.type, interval: request.query.interval, ...paged(items, total, request.query) }
    },
  )

  app.get<{ Querystring: Static<typeof schemas.topUsers> }>(
    '/v1/users/top',
    { schema: { querystring: schemas.topUsers } },
    async (request) => {
      const { items, total } = await queryTopUsers(pool, request.query)
      return { by: request.query.by, ...paged(items, total, request.query) }
    },
  )

  app.get<{ Params: Static<typeof schemas.user> }>('/v1/users/:userId', { schema: { params: schemas.user } }, async (request, reply) => {
    const user = await queryUser(pool, request.params.userId)
    return user ?? sendError(reply, 'NOT_FOUND', 'no events of that user were projected')
  })

  app.get<{ Querystring: Static<typeof schemas.funnel> }>(
    '/v1/challenges/funnel',
    { schema: { querystring: schemas.funnel } },
    async (request) => {
      const { items, total } = await queryChallengeFunnel(pool, request.query)
      return paged(items, total, request.query)
    },
  )

  app.get<{ Querystring: Static<typeof schemas.rewards> }>(
    '/v1/rewards/lifecycle',
    { schema: { querystring: schemas.rewards } },
    async (request) => {
      const { items, total } = await queryRewardLifecycle(pool, request.query)
      return paged(items, total, request.query)
    },
  )

  return app
}
