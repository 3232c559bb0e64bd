import type { FastifyReply, FastifyRequest } from 'fastify'
import type { TokenRevocations } from './create-token-revocations.ts'
import { cookieToken } from './session-cookie.ts'
import { verifyUserToken, type TokenKeyring } from './user-token.ts'

/** What a request's token proved: whose it is and its lifetime (ms since the epoch); `token` itself, for the session cookie. */
export type VerifiedToken = { token: string; userId: string; issuedAt: number; expiresAt: number }

/**
 * The token from `Authorization: Bearer <token>`, else the session cookie (set by `POST
 * .../session`; a browser's EventSource sends it), else `?token=` for EventSource clients on
 * another origin. A query string reaches proxies' access logs: this service logs URLs only
 * through redactUrl, and the page never puts a token in one.
 */
function tokenOf(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization
  if (header?.startsWith('Bearer ')) return header.slice(7).trim()
  const cookie = cookieToken(request.headers.cookie)
  if (cookie) return cookie
  const query = request.query as { token?: unknown } | undefined
  return typeof query?.token === 'string' && query.token !== '' ? query.token : undefined
}

const messages = {
  TOKEN_INVALID: 'the token is not valid',
  TOKEN_UNKNOWN_KEY: 'the token was signed with a key this service does not hold (retired?)',
  TOKEN_EXPIRED: 'the token has expired',
} as const

/**
 * A preHandler for `/v1/users/:id/...`: 401 without a valid, unexpired, unrevoked token (the
 * code says which); 403 for a token of another user. Errors are JSON `{ code, message }`.
 * `verified(request)` answers what the token proved, after the preHandler let it through.
 */
export function createAuthorizeUser(keyring: TokenKeyring, revocations: Pick<TokenRevocations, 'notBefore'>) {
  const verified = new WeakMap<FastifyRequest, VerifiedToken>()
  async function authorize(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const token = tokenOf(request)
    if (!token) {
      return void (await reply
        .code(401)
        .send({ code: 'TOKEN_MISSING', message: 'send Authorization: Bearer <token>, or exchange it for a cookie at POST .../session' }))
    }
    const check = verifyUserToken(keyring, token)
    if (!check.ok) return void (await reply.code(401).send({ code: check.code, message: messages[check.code] }))
    const { id } = request.params as { id: string }
    if (check.userId !== id) {
      return void (await reply.code(403).send({ code: 'TOKEN_WRONG_USER', message: 'the token is for another user' }))
    }
    const notBefore = await revocations.notBefore(id)
    if (notBefore !== undefined && check.issuedAt < notBefore) {
      return void (await reply.code(401).send({ code: 'TOKEN_REVOKED', message: "the user's tokens issued before now were revoked" }))
    }
    verified.set(request, { token, userId: check.userId, issuedAt: check.issuedAt, expiresAt: check.expiresAt })
  }
  return { authorize, verified: (request: FastifyRequest): VerifiedToken | undefined => verified.get(request) }
}
