import { createHash, timingSafeEqual } from 'node:crypto'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { sendError } from './error-catalog.ts'

// Hashing both sides gives equal lengths, which timingSafeEqual needs, without leaking a token's length.
const digest = (text: string): Buffer => createHash('sha256').update(text).digest()

/**
 * An onRequest hook admitting `Authorization: Bearer <token>` for one of `tokens` (several
 * during a rotation), as email's admin API does. Every token is compared, in constant time,
 * so the answer's timing says nothing about which one came close. A token anywhere else (a
 * query string, a cookie) is not looked at. No tokens: every request is refused (403).
 */
export function createBearerAuth(tokens: string[]) {
  const expected = tokens.map(digest)
  return async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    if (expected.length === 0) return sendError(reply, 'QUERY_API_DISABLED')
    const match = /^Bearer +(\S+) *$/i.exec(request.headers.authorization ?? '')
    if (!match) {
      reply.header('www-authenticate', 'Bearer realm="analytics"')
      return sendError(reply, 'UNAUTHORIZED')
    }
    const presented = digest(match[1]!)
    let admitted = false
    for (const token of expected) if (timingSafeEqual(presented, token)) admitted = true
    if (admitted) return undefined
    reply.header('www-authenticate', 'Bearer realm="analytics", error="invalid_token"')
    return sendError(reply, 'UNAUTHORIZED', 'the bearer token is not one of ANALYTICS_API_TOKENS')
  }
}
