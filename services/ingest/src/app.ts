import { ContractError, deriveWebhookId, normalizeNudjWebhook, type Category, type WebhookReceived } from '@nudj-webhooks/contracts'
import { redactUrl } from '@nudj-webhooks/observability'
import type { SecureContextOptions } from 'node:tls'
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify'
import type { Logger } from 'pino'
import { checkSignedTimestamp } from './check-signed-timestamp.ts'
import type { RecordRejection } from './create-rejection-auditor.ts'
import type { IngestMetrics } from './create-ingest-metrics.ts'
import { createRateLimiter } from './create-rate-limiter.ts'
import { PublishError, type Publish } from './create-publisher.ts'
import { createReplayWindow } from './create-replay-window.ts'
import { errorCatalog, sendError, type ErrorCode } from './error-catalog.ts'
import { selectHeaders } from './select-headers.ts'
import type { Source } from './source.ts'
import { verifyRequest } from './verify-request.ts'

export type AppDeps = {
  sources: Map<string, Source>
  defaultSource?: string
  publish: Publish
  recordRejection: RecordRejection
  topicFor: (category: Category) => string
  shedReason: () => string | undefined
  isClosing: () => boolean
  metrics: IngestMetrics
  logger: Logger
  bodyLimitBytes: number
  /** Longest a client may take to send a request, headers and body (slow-sending clients hold sockets). */
  requestTimeoutMs: number
  retryAfterSeconds: number
  rateLimitPerSource: number
  rateLimitPerAddress: number
  /** Failed authentications per second an address may spend before it is refused unread. */
  authFailuresPerAddress: number
  /** Proxies whose X-Forwarded-For names the client (Fastify's trustProxy); none when empty. */
  trustedProxies: string[]
  /** How far a gen-2 body's signed timestamp may be from now; undefined for no bound. */
  replayToleranceMs?: number
  replayWindowEntries: number
  /** Set when ingest serves TLS itself: adds HSTS. */
  hsts: boolean
  https?: SecureContextOptions
  now?: () => number
}

type WebhookRequest = FastifyRequest<{ Params: { source?: string }; Body: Buffer }>

declare module 'fastify' {
  interface FastifyRequest {
    outcome?: ErrorCode | 'ACCEPTED' | 'DUPLICATE'
    webhookId?: string
    event?: string
  }
}

const routes = ['/webhooks/nudj', '/webhooks/nudj/:source']

/** The public HTTP surface; never listens by itself (main.ts does; tests use inject). */
export function buildApp(deps: AppDeps): FastifyInstance {
  const now = deps.now ?? Date.now
  const app = Fastify({
    logger: false,
    bodyLimit: deps.bodyLimitBytes,
    // Node answers 408 and closes a connection whose request is not all in by then; Fastify
    // leaves this off by default, so a client trickling bytes could hold a socket for ever.
    requestTimeout: deps.requestTimeoutMs,
    return503OnClosing: false,
    forceCloseConnections: 'idle',
    // A trailing slash is the same route; Nudj follows no redirect, so never answer one.
    routerOptions: { ignoreTrailingSlash: true },
    // request.ip is the X-Forwarded-For client only when the hop is a configured proxy.
    trustProxy: deps.trustedProxies.length > 0 ? deps.trustedProxies : false,
    // Node looks for timed-out requests every 30 s by default; every second keeps the bound.
    http: { connectionsCheckingInterval: 1000 },
    ...(deps.https ? { https: { ...deps.https, connectionsCheckingInterval: 1000 } } : {}),
  } as FastifyServerOptions)
  // Headers within the same bound (Node's default is 60 s, and it must not exceed requestTimeout).
  app.server.headersTimeout = deps.requestTimeoutMs
  const perSource = createRateLimiter(deps.rateLimitPerSource)
  const perAddress = createRateLimiter(deps.rateLimitPerAddress)
  const authFailures = createRateLimiter(deps.authFailuresPerAddress)
  // A replay passes the timestamp bound until `timestamp + tolerance`, at most twice the
  // tolerance after the first copy arrived: remembered that long.
  const replays = createReplayWindow({
    windowMs: deps.replayToleranceMs === undefined ? undefined : 2 * deps.replayToleranceMs,
    maxEntries: deps.replayWindowEntries,
    now,
    onEvict: () => deps.metrics.replayWindowEvictions.inc(),
  })
  const fail = (request: FastifyRequest, reply: FastifyReply, code: ErrorCode, detail?: string): FastifyReply => {
    request.outcome = code
    return sendError(reply, code, deps.retryAfterSeconds, detail)
  }

  // The raw bytes are what is verified and what is stored: never parse before that.
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_, body, done) => done(null, body))

  app.addHook('onRequest', async (request) => {
    deps.metrics.inFlight.inc()
    request.outcome = undefined
  })
  app.addHook('onSend', async (_, reply) => {
    reply.header('cache-control', 'no-store')
    reply.header('x-content-type-options', 'nosniff')
    reply.header('x-frame-options', 'DENY')
    reply.header('referrer-policy', 'no-referrer')
    reply.header('content-security-policy', "default-src 'none'; frame-ancestors 'none'")
    if (deps.hsts) reply.header('strict-transport-security', 'max-age=63072000; includeSubDomains')
  })
  app.addHook('onResponse', async (request, reply) => {
    deps.metrics.inFlight.dec()
    const outcome = request.outcome ?? (reply.statusCode < 400 ? 'ACCEPTED' : 'INTERNAL_ERROR')
    const source = sourceLabel(request)
    deps.metrics.requests.inc({ source, outcome })
    deps.metrics.requestDuration.observe({ outcome }, reply.elapsedTime / 1000)
    deps.logger.info(
      {
        webhookId: request.webhookId,
        event: request.event,
        source,
        outcome,
        status: reply.statusCode,
        durationMs: Math.round(reply.elapsedTime),
        method: request.method,
        remoteAddress: request.ip,
      },
      'webhook request',
    )
  })

  function sourceLabel(request: FastifyRequest): string {
    const name = (request.params as { source?: string } | undefined)?.source ?? deps.defaultSource
    return name !== undefined && deps.sources.has(name) ? name : 'unknown'
  }

  // Cheap refusals before a body is read spend only the client address's own budgets: the
  // shared ones (load shedding, per source) wait until the request has authenticated, so
  // that unauthenticated traffic cannot spend them.
  const admit = async (request: WebhookRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    if (deps.isClosing()) return fail(request, reply, 'SHUTTING_DOWN')
    if (!authFailures.has(request.ip)) {
      deps.metrics.shed.inc({ reason: 'auth-failures' })
      return fail(request, reply, 'RATE_LIMITED', 'too many failed authentications from this address; retry later')
    }
    if (!perAddress.allow(request.ip)) {
      deps.metrics.shed.inc({ reason: 'rate-limit' })
      return fail(request, reply, 'RATE_LIMITED')
    }
    return undefined
  }

  async function receive(request: WebhookRequest, reply: FastifyReply): Promise<FastifyReply> {
    const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0)
    deps.metrics.payloadBytes.observe(body.length)
    const sourceName = request.params.source ?? deps.defaultSource
    const source = sourceName === undefined ? undefined : deps.sources.get(sourceName)
    // Every refusal here is a failed authentication (or an unknown source): it spends the
    // address's budget of failures, and is audited.
    const reject = (code: ErrorCode, detail?: string): FastifyReply => {
      authFailures.allow(request.ip)
      deps.recordRejection(
        {
          source: sourceName ?? '',
          reason: code,
          status: errorCatalog[code].status,
          receivedAt: now(),
          method: request.method,
          path: redactUrl(request.url),
          remoteAddress: request.ip,
        },
        request.headers,
        body,
      )
      return fail(request, reply, code, detail)
    }
    if (!source) return reject('UNKNOWN_SOURCE')

    const verification = verifyRequest(source, request.headers, body, Math.floor(now() / 1000))
    if (!verification.ok) {
      deps.metrics.verificationFailures.inc({ source: source.name, reason: verification.reason })
      return reject(verification.reason, verification.detail)
    }
    deps.metrics.verified.inc({ source: source.name, scheme: verification.scheme, secret_id: verification.secretId })
    const shed = deps.shedReason()
    if (shed) {
      deps.metrics.shed.inc({ reason: shed })
      return fail(request, reply, 'OVERLOADED')
    }
    if (!perSource.allow(source.name)) {
      deps.metrics.shed.inc({ reason: 'rate-limit' })
      return fail(request, reply, 'RATE_LIMITED')
    }
    const gen2 = verification.scheme === 'gen2-hmac'

    let envelope: WebhookReceived
    let refusal: ContractError | undefined
    try {
      const event = normalizeNudjWebhook(body, request.headers, { source: source.name })
      // The gen-2 signature covers the body only: its signed timestamp bounds a replay.
      const stale =
        gen2 && deps.replayToleranceMs !== undefined
          ? checkSignedTimestamp(event.body, event.generation === 'gen1' ? 'createdAt' : 'timestamp', now(), deps.replayToleranceMs)
          : undefined
      if (stale) {
        deps.metrics.verificationFailures.inc({ source: source.name, reason: stale.reason })
        return reject(stale.reason, stale.detail)
      }
      envelope = envelopeOf(
        source.name,
        verification.scheme,
        event.webhookId,
        event.event,
        event.canonical,
        event.category,
        event.generation,
      )
    } catch (err) {
      if (!(err instanceof ContractError)) throw err
      // Verified but unreadable: kept on the unknown topic for inspection, then refused.
      refusal = err
      const { webhookId } = deriveWebhookId(body, request.headers, source.name)
      envelope = envelopeOf(source.name, verification.scheme, webhookId, '', 'unknown', 'unknown', 'unknown')
    }
    envelope.headers = selectHeaders(request.headers)
    envelope.body = body
    request.webhookId = envelope.webhookId
    request.event = envelope.event

    // The same signed body under another webhook id is a replay (or a copy of one delivery):
    // answered as what it duplicates, and not stored again.
    const claim = gen2 && !refusal ? replays.claim(source.name, body, envelope.webhookId) : undefined
    deps.metrics.replayWindowEntries.set(replays.size())
    if (claim?.kind === 'replay') {
      deps.metrics.replays.inc({ source: source.name })
      request.outcome = 'DUPLICATE'
      request.webhookId = claim.webhookId
      return reply.code(200).send({ accepted: true, webhookId: claim.webhookId, duplicate: true })
    }

    try {
      await deps.publish(deps.topicFor(envelope.category as Category), envelope, {
        event: envelope.event,
        source: source.name,
        'webhook-id': envelope.webhookId,
      })
    } catch (err) {
      if (claim?.kind === 'new') replays.release(source.name, body, envelope.webhookId)
      if (!(err instanceof PublishError)) throw err
      deps.logger.warn({ err, webhookId: envelope.webhookId }, 'not stored; answering 503 so that Nudj retries')
      return fail(request, reply, err.code)
    }
    deps.metrics.records.inc({ category: envelope.category })
    if (refusal) return fail(request, reply, refusal.code, refusal.message)
    request.outcome = 'ACCEPTED'
    return reply.code(200).send({ accepted: true, webhookId: envelope.webhookId })
  }

  function envelopeOf(
    source: string,
    authScheme: string,
    webhookId: string,
    event: string,
    canonicalEvent: string,
    category: string,
    generation: string,
  ): WebhookReceived {
    return {
      webhookId,
      source,
      event,
      canonicalEvent,
      category,
      generation,
      receivedAt: now(),
      authScheme,
      headers: {},
      body: Buffer.alloc(0),
    }
  }

  for (const url of routes) {
    app.route<{ Params: { source?: string }; Body: Buffer }>({ method: ['POST', 'PUT'], url, onRequest: admit, handler: receive })
    app.route({
      method: ['GET', 'DELETE', 'PATCH', 'OPTIONS'],
      url,
      handler: async (request, reply) => fail(request, reply.header('allow', 'POST, PUT'), 'METHOD_NOT_ALLOWED'),
    })
  }
  app.setNotFoundHandler(async (request, reply) => fail(request, reply, 'NOT_FOUND'))
  app.setErrorHandler(async (error: { code?: string; statusCode?: number }, request, reply) => {
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
      return fail(request, reply, 'BODY_TOO_LARGE', `the body is larger than ${deps.bodyLimitBytes} bytes`)
    if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      return fail(
        request,
        reply,
        'UNSUPPORTED_MEDIA_TYPE',
        `the body must be application/json, not ${request.headers['content-type'] ?? 'unlabelled'}`,
      )
    }
    if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) return fail(request, reply, 'INVALID_REQUEST')
    deps.logger.error({ err: error, url: redactUrl(request.url) }, 'unexpected error')
    return fail(request, reply, 'INTERNAL_ERROR')
  })
  return app
}
