import { hostname } from 'node:os'
import {
  parseReplayFrom,
  planRedrive,
  redriveGroupDlq,
  replayGroup,
  topologyGroup,
  UsageError,
  type AuditActor,
  type DlqFilter,
} from '@nudj-webhooks/kafka'
import { Type } from '@sinclair/typebox'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { AppDeps } from './console-deps.ts'
import { parseWindow } from './parse-window.ts'

const groupParams = Type.Object({ group: Type.String({ minLength: 1, maxLength: 249 }) })
const redriveBody = Type.Object(
  {
    dryRun: Type.Boolean(),
    errorCode: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    key: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
    since: Type.Optional(Type.String({ maxLength: 40 })),
    rate: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
    max: Type.Optional(Type.Integer({ minimum: 1 })),
  },
  { additionalProperties: false },
)
const replayBody = Type.Object(
  { from: Type.String({ minLength: 1, maxLength: 5_000 }), dryRun: Type.Boolean() },
  { additionalProperties: false },
)

// As `ops dlq redrive` has them by default.
const maxFailureRatio = 0.5
const redriveTimeoutMs = 10 * 60_000

/**
 * The console's only writes, through the very functions `pnpm ops` runs (packages/kafka/src/ops),
 * each recorded on the audit topic with the console as the actor and the browser's address.
 */
export function registerWriteRoutes(app: FastifyInstance, deps: AppDeps): void {
  const actor = (request: FastifyRequest): AuditActor => ({ user: deps.actor, host: hostname(), client: request.ip, via: 'console' })

  app.post('/api/groups/:group/dlq/redrive', { schema: { params: groupParams, body: redriveBody } }, async (request) => {
    const group = topologyGroup(deps.topology, (request.params as { group: string }).group)
    const body = request.body as { dryRun: boolean; errorCode?: string; key?: string; since?: string; rate?: number; max?: number }
    const rate = body.rate ?? deps.maxRedriveRate
    if (rate > deps.maxRedriveRate)
      throw new UsageError(`rate: at most ${deps.maxRedriveRate} records per second (CONSOLE_REDRIVE_MAX_RATE)`)
    const filter: DlqFilter = { errorCode: body.errorCode, key: body.key }
    if (body.since !== undefined) filter.sinceMs = parseWindow({ from: body.since }, 0).fromMs
    if (body.dryRun) {
      const plan = await planRedrive(deps.kafka, deps.admin, {
        group,
        filter,
        max: body.max,
        signal: AbortSignal.timeout(redriveTimeoutMs),
      })
      return { dryRun: true, ...plan, sample: plan.sample.map(({ message: _message, ...r }) => r) }
    }
    const { topic, target, result, audit } = await redriveGroupDlq(
      deps.kafka,
      deps.admin,
      deps.topology,
      {
        group,
        filter,
        sinceText: body.since,
        ratePerSecond: rate,
        maxFailureRatio,
        max: body.max,
        timeoutMs: redriveTimeoutMs,
        // A redrive runs to its end even when the page that asked is closed: it is remembered and audited.
        signal: new AbortController().signal,
      },
      actor(request),
    )
    deps.logger.info({ group: group.name, redriven: result.redriven, stopped: result.stopped }, 'dlq redriven from the console')
    return { dryRun: false, topic, target, ...result, audit: audit ?? null }
  })

  app.post('/api/groups/:group/replay', { schema: { params: groupParams, body: replayBody } }, async (request) => {
    const group = topologyGroup(deps.topology, (request.params as { group: string }).group)
    const { from: fromText, dryRun } = request.body as { from: string; dryRun: boolean }
    const outcome = await replayGroup(
      deps.kafka,
      deps.admin,
      deps.topology,
      { group, from: parseReplayFrom(fromText), fromText, dryRun },
      actor(request),
    )
    if (!dryRun) deps.logger.info({ group: group.name, partitions: outcome.rows.length }, 'group replayed from the console')
    return { dryRun, ...outcome, audit: outcome.audit ?? null }
  })
}
