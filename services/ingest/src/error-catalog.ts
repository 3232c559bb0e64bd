import type { FastifyReply } from 'fastify'
import type { VerificationFailure } from './verify-request.ts'

/**
 * Every answer other than 200, with a stable code. Nudj never retries a 4xx, so a 4xx is
 * only for what will fail the same way again; anything that may pass later is a 503.
 */
export const errorCatalog = {
  NOT_FOUND: { status: 404, message: 'no such route; Nudj delivers to POST /webhooks/nudj/:source' },
  UNKNOWN_SOURCE: { status: 404, message: 'no source of that name is configured' },
  METHOD_NOT_ALLOWED: { status: 405, message: 'use POST (or PUT, which gen-1 configurations may send)' },
  BODY_TOO_LARGE: { status: 413, message: 'the body is larger than this receiver accepts' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'the body must be application/json' },
  INVALID_REQUEST: { status: 400, message: 'the request could not be read' },
  BODY_NOT_UTF8: { status: 400, message: 'the body is not valid UTF-8; it was kept for inspection' },
  BODY_NOT_JSON: { status: 400, message: 'the body is not JSON; it was kept for inspection' },
  BODY_NOT_OBJECT: { status: 400, message: 'the body is JSON but not an object; it was kept for inspection' },
  MISSING_SIGNATURE: { status: 401, message: 'the request carries no credentials this source accepts' },
  MALFORMED_SIGNATURE: { status: 401, message: 'the signature header is malformed' },
  BAD_SIGNATURE: { status: 401, message: 'the signature does not match the body' },
  BAD_CREDENTIALS: { status: 401, message: 'the static credentials do not match' },
  TIMESTAMP_OUT_OF_TOLERANCE: { status: 401, message: 'the signed timestamp is too far from now' },
  MISSING_TIMESTAMP: { status: 401, message: 'the signed body carries no timestamp, so a replay of it cannot be bounded' },
  MALFORMED_TIMESTAMP: { status: 401, message: "the signed body's timestamp is not an ISO 8601 date-time with an offset" },
  SCHEME_NOT_ALLOWED: { status: 401, message: 'this source does not accept that authentication scheme' },
  OVERLOADED: { status: 503, message: 'the receiver is shedding load; retry later' },
  RATE_LIMITED: { status: 503, message: 'too many requests (or failed authentications) for this source or address; retry later' },
  KAFKA_TIMEOUT: { status: 503, message: 'Kafka did not acknowledge in time; retry later' },
  KAFKA_UNAVAILABLE: { status: 503, message: 'Kafka did not acknowledge the write; retry later' },
  SCHEMA_REGISTRY_UNAVAILABLE: { status: 503, message: 'the schema registry did not answer; retry later' },
  SHUTTING_DOWN: { status: 503, message: 'the receiver is restarting; retry later' },
  INTERNAL_ERROR: { status: 500, message: 'unexpected error; retry later' },
} as const satisfies Record<string, { status: number; message: string }> & Record<VerificationFailure, { status: 401; message: string }>

export type ErrorCode = keyof typeof errorCatalog

/** Sends `{ code, message }` with the catalog's status (and Retry-After on a 503). */
export function sendError(reply: FastifyReply, code: ErrorCode, retryAfterSeconds: number, detail?: string): FastifyReply {
  const { status, message } = errorCatalog[code]
  if (status === 503) reply.header('retry-after', String(retryAfterSeconds))
  return reply.code(status).send({ code, message: detail ?? message })
}
