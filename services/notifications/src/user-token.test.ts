import { describe, expect, it } from 'vitest'
import { createTokenKeyring, keyIdOf, signUserToken, verifyUserToken } from './user-token.ts'

const secret = Buffer.from('a'.repeat(40))
const keyring = createTokenKeyring(secret)

describe('user tokens', () => {
  it('verifies a token it signed, for that user only, with its key id and lifetime', () => {
    const now = 1_700_000_000_500
    const token = signUserToken(secret, 'user-1', 60, now)
    expect(token.split('.')[0]).toBe(keyIdOf(secret))
    expect(verifyUserToken(keyring, token, now)).toEqual({
      ok: true,
      userId: 'user-1',
      issuedAt: 1_700_000_000_000,
      expiresAt: 1_700_000_060_000,
    })
  })

  it('refuses a token altered, or signed by another key under a known key id', () => {
    const other = Buffer.from('b'.repeat(40))
    const [, payload, signature] = signUserToken(other, 'user-1', 60).split('.')
    expect(verifyUserToken(keyring, `${keyIdOf(secret)}.${payload}.${signature}`)).toEqual({ ok: false, code: 'TOKEN_INVALID' })
    const [kid, , mine] = signUserToken(secret, 'user-1', 60).split('.')
    const forged = Buffer.from(JSON.stringify({ sub: 'user-2', iat: 1, exp: 9e9 })).toString('base64url')
    expect(verifyUserToken(keyring, `${kid}.${forged}.${mine}`)).toEqual({ ok: false, code: 'TOKEN_INVALID' })
    expect(verifyUserToken(keyring, 'garbage')).toEqual({ ok: false, code: 'TOKEN_INVALID' })
    expect(verifyUserToken(keyring, `${kid}.${payload}`)).toEqual({ ok: false, code: 'TOKEN_INVALID' })
  })

  it('refuses a key id it does not hold', () => {
    expect(verifyUserToken(keyring, signUserToken(Buffer.from('c'.repeat(40)), 'user-1', 60))).toEqual({
      ok: false,
      code: 'TOKEN_UNKNOWN_KEY',
    })
  })

  it('refuses an expired token', () => {
    const token = signUserToken(secret, 'user-1', 60, Date.now() - 120_000)
    expect(verifyUserToken(keyring, token)).toEqual({ ok: false, code: 'TOKEN_EXPIRED' })
  })

  it('verifies with a previous key after rotation, and signs only with the current one', () => {
    const next = Buffer.from('n'.repeat(40))
    const rotated = createTokenKeyring(next, [secret])
    const old = signUserToken(secret, 'user-1', 60)
    expect(verifyUserToken(rotated, old)).toMatchObject({ ok: true, userId: 'user-1' })
    expect(verifyUserToken(createTokenKeyring(next), old)).toEqual({ ok: false, code: 'TOKEN_UNKNOWN_KEY' })
    expect(signUserToken(rotated.current, 'user-1', 60).split('.')[0]).toBe(keyIdOf(next))
  })
})
