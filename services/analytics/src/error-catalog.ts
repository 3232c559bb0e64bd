import type { FastifyReply } from 'fastify'

/** Every answer other than 200, with a stable code. */
export const errorCatalog = {
  INVALID_REQUEST: { status: 400, message: 'the request is invalid' },
  UNAUTHORIZED: { status: 401, message: 'send Authorization: Bearer <token>, a token of ANALYTICS_API_TOKENS' },
  QUERY_API_DISABLED: { status: 403, message: 'no ANALYTICS_API_TOKENS are configured, so the query API refuses every request' },
  NOT_FOUND: { status: 404, message: 'no such resource' },
  DATABASE_UNAVAILABLE: { status: 503, message: 'the projections database did not answer; retry later' },
  QUERY_TIMEOUT: {
    status: 504,
    message: 'the query ran longer than ANALYTICS_QUERY_TIMEOUT and was cancelled; ask for a shorter range or a smaller page',
  },
  INTERNAL_ERROR: { status: 500, message: 'unexpected error' },
} as const satisfies Record<string, { status: number; message: string }>

export type ErrorCode = keyof typeof errorCatalog

/** Sends `{ code: CODE, message }` with the catalog's status (the error body of every service). */
export function sendError(reply: FastifyReply, code: ErrorCode, detail?: string): FastifyReply {
  const { status, message } = errorCatalog[code]
  if (status === 503) reply.header('retry-after', '5')
  return reply.code(status).send({ code, message: detail ?? message })
}
