import { createHmac, timingSafeEqual } from 'node:crypto'

/**
 * A user token: `base64url({"sub":userId,"exp":epochSeconds}).base64url(HMAC-SHA256)`. It
 * lets its holder read one user's notifications until it expires; nothing else.
 */
export function signUserToken(secret: Buffer, userId: string, ttlSeconds: number, now = Date.now()): string {
  const payload = Buffer.from(JSON.stringify({ sub: userId, exp: Math.floor(now / 1000) + ttlSeconds })).toString('base64url')
  return `${payload}.${mac(secret, payload).toString('base64url')}`
}

export type TokenCheck = { ok: true; userId: string } | { ok: false; code: 'TOKEN_INVALID' | 'TOKEN_EXPIRED' }

/** Checks the signature (constant time), then the expiry. */
export function verifyUserToken(secret: Buffer, token: string, now = Date.now()): TokenCheck {
  const [payload, signature, extra] = token.split('.')
  if (!payload || !signature || extra !== undefined) return { ok: false, code: 'TOKEN_INVALID' }
  const expected = mac(secret, payload)
  const given = Buffer.from(signature, 'base64url')
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, code: 'TOKEN_INVALID' }
  let claims: unknown
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'))
  } catch {
    return { ok: false, code: 'TOKEN_INVALID' }
  }
  const { sub, exp } = (claims ?? {}) as { sub?: unknown; exp?: unknown }
  if (typeof sub !== 'string' || typeof exp !== 'number') return { ok: false, code: 'TOKEN_INVALID' }
  if (exp * 1000 <= now) return { ok: false, code: 'TOKEN_EXPIRED' }
  return { ok: true, userId: sub }
}

function mac(secret: Buffer, payload: string): Buffer {
  return createHmac('sha256', secret).update(`nudj-notifications-user-token.${payload}`).digest()
}
