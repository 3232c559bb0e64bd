import type { FastifyReply, FastifyRequest } from 'fastify'
import { verifyUserToken } from './user-token.ts'

/**
 * The token from `Authorization: Bearer <token>`, or from `?token=` because a browser's
 * EventSource cannot set headers (query strings reach access logs: keep tokens short-lived).
 */
function tokenOf(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization
  if (header?.startsWith('Bearer ')) return header.slice(7).trim()
  const query = request.query as { token?: unknown }
  return typeof query.token === 'string' && query.token !== '' ? query.token : undefined
}

/**
 * A preHandler for `/v1/users/:id/...`: 401 without a valid, unexpired token; 403 for a token
 * of another user. Errors are JSON `{ error, message }`.
 */
export function createAuthorizeUser(secret: Buffer) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const token = tokenOf(request)
    if (!token) {
      return void (await reply.code(401).send({ error: 'TOKEN_MISSING', message: 'send Authorization: Bearer <token> or ?token=' }))
    }
    const check = verifyUserToken(secret, token)
    if (!check.ok) {
      const message = check.code === 'TOKEN_EXPIRED' ? 'the token has expired' : 'the token is not valid'
      return void (await reply.code(401).send({ error: check.code, message }))
    }
    const { id } = request.params as { id: string }
    if (check.userId !== id) {
      return void (await reply.code(403).send({ error: 'TOKEN_WRONG_USER', message: 'the token is for another user' }))
    }
  }
}
