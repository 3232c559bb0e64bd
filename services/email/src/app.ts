import { createHash, timingSafeEqual } from 'node:crypto'
import { Type } from '@sinclair/typebox'
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify'
import type { Suppressions } from './create-suppressions.ts'

export type AppDeps = {
  suppressions: Suppressions
  /** Bearer token of the API; without one every request is refused (403 ADMIN_API_DISABLED). */
  adminToken?: string
}

const errors = {
  UNAUTHORIZED: { status: 401, message: 'send Authorization: Bearer <EMAIL_ADMIN_TOKEN>' },
  ADMIN_API_DISABLED: { status: 403, message: 'no EMAIL_ADMIN_TOKEN is configured, so the suppression API is off' },
  INVALID_REQUEST: { status: 400, message: 'the request is not valid' },
  NOT_FOUND: { status: 404, message: 'no such route or suppressed address' },
  INTERNAL_ERROR: { status: 500, message: 'unexpected error; try again' },
} as const

type ErrorCode = keyof typeof errors

const sendError = (reply: FastifyReply, code: ErrorCode, detail?: string): FastifyReply =>
  reply.code(errors[code].status).send({ error: code, message: detail ?? errors[code].message })

const emailParam = Type.Object({ email: Type.String({ minLength: 3, maxLength: 254, pattern: '^[^\\s@]+@[^\\s@]+$' }) })

// Hashing both sides gives equal lengths, which timingSafeEqual needs, without leaking the token's length.
const digest = (text: string): Buffer => createHash('sha256').update(text).digest()

/** The public API: suppressed addresses (PUT, DELETE, GET with keyset pagination). Never listens by itself. */
export function buildApp(deps: AppDeps): FastifyInstance {
  const app = Fastify({ logger: false })
  const expected = deps.adminToken ? digest(deps.adminToken) : undefined

  app.addHook('onRequest', async (request, reply) => {
    if (!expected) return sendError(reply, 'ADMIN_API_DISABLED')
    const header = request.headers.authorization ?? ''
    const token = header.startsWith('Bearer ') ? header.slice(7) : ''
    if (!timingSafeEqual(digest(token), expected)) return sendError(reply, 'UNAUTHORIZED')
  })
  app.setErrorHandler((err: { validation?: unknown; statusCode?: number; message: string }, _request, reply) => {
    if (err.validation || err.statusCode === 400) return sendError(reply, 'INVALID_REQUEST', err.message)
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
      const created = await deps.suppressions.add(request.params.email, request.body.reason)
      return reply.code(created ? 201 : 200).send({ email: request.params.email.toLowerCase(), suppressed: true })
    },
  )
  app.delete<{ Params: { email: string } }>('/v1/suppressions/:email', { schema: { params: emailParam } }, async (request, reply) => {
    if (!(await deps.suppressions.remove(request.params.email))) return sendError(reply, 'NOT_FOUND', 'that address is not suppressed')
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
