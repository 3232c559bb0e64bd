import { createHash, createHmac, timingSafeEqual } from 'node:crypto'

/**
 * A user token: `<kid>.base64url({"sub":userId,"iat":s,"exp":s}).base64url(HMAC-SHA256)`. It
 * lets its holder read one user's notifications until it expires or is revoked; nothing else.
 *
 * The key id is derived from the key (a truncated SHA-256 of it, which reveals nothing of a
 * 32-byte random key), so a keyring is just a list of keys: the current one signs, older ones
 * still verify what they signed until it expires (rotation without a flag day).
 */
export function signUserToken(secret: Buffer, userId: string, ttlSeconds: number, now = Date.now()): string {
  const iat = Math.floor(now / 1000)
  const kid = keyIdOf(secret)
  const payload = Buffer.from(JSON.stringify({ sub: userId, iat, exp: iat + ttlSeconds })).toString('base64url')
  return `${kid}.${payload}.${mac(secret, kid, payload).toString('base64url')}`
}

/** The current key signs; every key (current and previous) verifies, looked up by key id. */
export type TokenKeyring = { current: Buffer; byId: Map<string, Buffer> }

export function createTokenKeyring(current: Buffer, previous: Buffer[] = []): TokenKeyring {
  return { current, byId: new Map([current, ...previous].map((key) => [keyIdOf(key), key])) }
}

export type TokenCode = 'TOKEN_INVALID' | 'TOKEN_UNKNOWN_KEY' | 'TOKEN_EXPIRED'
export type TokenCheck = { ok: true; userId: string; issuedAt: number; expiresAt: number } | { ok: false; code: TokenCode }

/** Finds the key by id, checks the signature (constant time), then the expiry. Times in ms. */
export function verifyUserToken(keyring: TokenKeyring, token: string, now = Date.now()): TokenCheck {
  const [kid, payload, signature, extra] = token.split('.')
  if (!kid || !payload || !signature || extra !== undefined) return { ok: false, code: 'TOKEN_INVALID' }
  const secret = keyring.byId.get(kid)
  if (!secret) return { ok: false, code: 'TOKEN_UNKNOWN_KEY' }
  const expected = mac(secret, kid, payload)
  const given = Buffer.from(signature, 'base64url')
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, code: 'TOKEN_INVALID' }
  let claims: unknown
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'))
  } catch {
    return { ok: false, code: 'TOKEN_INVALID' }
  }
  const { sub, iat, exp } = (claims ?? {}) as { sub?: unknown; iat?: unknown; exp?: unknown }
  if (typeof sub !== 'string' || typeof iat !== 'number' || typeof exp !== 'number') return { ok: false, code: 'TOKEN_INVALID' }
  if (exp * 1000 <= now) return { ok: false, code: 'TOKEN_EXPIRED' }
  return { ok: true, userId: sub, issuedAt: iat * 1000, expiresAt: exp * 1000 }
}

/** 11 characters: 64 bits of a domain-separated SHA-256, enough to tell a handful of keys apart. */
export function keyIdOf(secret: Buffer): string {
  return createHash('sha256').update('nudj-notifications-token-key-id.').update(secret).digest().subarray(0, 8).toString('base64url')
}

function mac(secret: Buffer, kid: string, payload: string): Buffer {
  return createHmac('sha256', secret).update(`nudj-notifications-user-token.v2.${kid}.${payload}`).digest()
}
