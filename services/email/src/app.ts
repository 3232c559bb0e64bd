import { createHash, timingSafeEqual } from 'node:crypto'
import { Type } from '@sinclair/typebox'
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyServerOptions } from 'fastify'
import type { Suppressions } from './create-suppressions.ts'
import { parseRecipient } from './parse-recipient.ts'

export type AppDeps = {
  suppressions: Suppressions
  /** Bearer token of the API; without one every request is refused (403 ADMIN_API_DISABLED). */
  adminToken?: string
  /** Longest time a client may take to send a whole request (headers and body); slower ones get 408. */
  requestTimeoutMs: number
}

// The API's bodies are `{"reason": <500 characters at most>}`: a few KiB is plenty.
const bodyLimitBytes = 16 * 1024

const errors = {
  UNAUTHORIZED: { status: 401, message: 'send Authorization: Bearer <EMAIL_ADMIN_TOKEN>' },
  ADMIN_API_DISABLED: { status: 403, message: 'no EMAIL_ADMIN_TOKEN is configured, so the suppression API is off' },
  INVALID_REQUEST: { status: 400, message: 'the request is not valid' },
  NOT_FOUND: { status: 404, message: 'no such route or suppressed address' },
  BODY_TOO_LARGE: { status: 413, message: `the body is larger than ${bodyLimitBytes} bytes` },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'send application/json (or no body)' },
  INTERNAL_ERROR: { status: 500, message: 'unexpected error; try again' },
} as const

type ErrorCode = keyof typeof errors

const sendError = (reply: FastifyReply, code: ErrorCode, detail?: string): FastifyReply =>
  reply.code(errors[code].status).send({ code, message: detail ?? errors[code].message })

const emailParam = Type.Object({ email: Type.String({ minLength: 3, maxLength: 254 }) })
const notAnAddress = (problem: string): string => `not one plain email address (${problem}); see the README's recipient rules`

// Hashing both sides gives equal lengths, which timingSafeEqual needs, without leaking the token's length.
const digest = (text: string): Buffer => createHash('sha256').update(text).digest()

/** The public API: suppressed addresses (PUT, DELETE, GET with keyset pagination). Never listens by itself. */
export function buildApp(deps: AppDeps): FastifyInstance {
  const app = Fastify({
    logger: false,
    bodyLimit: bodyLimitBytes,
    // An address, percent-encoded, fits (find-my-way answers 404 to a longer parameter).
    routerOptions: { maxParamLength: 1024 },
    // Node answers 408 and closes a connection whose request is not all in by then (Fastify's default: never).
    requestTimeout: deps.requestTimeoutMs,
    // Node looks for timed-out requests every 30 s by default; every second keeps the bound.
    http: { connectionsCheckingInterval: 1000 },
  } as FastifyServerOptions)
  // Headers within the same bound (Node's default is 60 s, and it must not exceed requestTimeout).
  app.server.headersTimeout = deps.requestTimeoutMs
  const expected = deps.adminToken ? digest(deps.adminToken) : undefined

  app.addHook('onRequest', async (request, reply) => {
    if (!expected) return sendError(reply, 'ADMIN_API_DISABLED')
    const header = request.headers.authorization ?? ''
    const token = header.startsWith('Bearer ') ? header.slice(7) : ''
    if (!timingSafeEqual(digest(token), expected)) return sendError(reply, 'UNAUTHORIZED')
  })
  app.setErrorHandler((err: { validation?: unknown; statusCode?: number; message: string }, _request, reply) => {
    if (err.validation || err.statusCode === 400) return sendError(reply, 'INVALID_REQUEST', err.message)
    if (err.statusCode === 413) return sendError(reply, 'BODY_TOO_LARGE')
    if (err.statusCode === 415) return sendError(reply, 'UNSUPPORTED_MEDIA_TYPE')
    return sendError(reply, 'INTERNAL_ERROR')
  })
  app.setNotFoundHandler((_request, reply) => sendError(reply, 'NOT_FOUND'))

  app.put<{ Params: { email: string }; Body: { reason?: string } }>(
    '/v1/suppressions/:email',
    {
      schema: {
        params: emailParam,
        body: Type.Object({ reason: Type.Optional(Type.String({ maxLength: 500 })) }, { additionalProperties: false }),
      },
      // The body is optional: none means no reason.
      preValidation: async (request) => {
        request.body ??= {}
      },
    },
    async (request, reply) => {
      // The same rules as sends, so a suppression always names the key a send compares.
      const recipient = parseRecipient(request.params.email)
      if (!recipient.ok) return sendError(reply, 'INVALID_REQUEST', notAnAddress(recipient.problem))
      const created = await deps.suppressions.add(recipient.key, request.body.reason)
      return reply.code(created ? 201 : 200).send({ email: recipient.key, suppressed: true })
    },
  )
  app.delete<{ Params: { email: string } }>('/v1/suppressions/:email', { schema: { params: emailParam } }, async (request, reply) => {
    const recipient = parseRecipient(request.params.email)
    if (!recipient.ok) return sendError(reply, 'INVALID_REQUEST', notAnAddress(recipient.problem))
    if (!(await deps.suppressions.remove(recipient.key))) return sendError(reply, 'NOT_FOUND', 'that address is not suppressed')
    return reply.code(204).send()
  })
  app.get<{ Querystring: { limit: number; after?: string } }>(
    '/v1/suppressions',
    {
      schema: {
        querystring: Type.Object(
          { limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }), after: Type.Optional(Type.String({ maxLength: 254 })) },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => {
      const items = await deps.suppressions.list({ limit: request.query.limit, after: request.query.after })
      const last = items.at(-1)
      return { items, next: items.length === request.query.limit && last ? last.email : null }
    },
  )
  return app
}
