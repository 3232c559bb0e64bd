import { describe, expect, it } from 'vitest'
import { signUserToken, verifyUserToken } from './user-token.ts'

const secret = Buffer.from('a'.repeat(40))

describe('user tokens', () => {
  it('verifies a token it signed, for that user only', () => {
    const token = signUserToken(secret, 'user-1', 60)
    expect(verifyUserToken(secret, token)).toEqual({ ok: true, userId: 'user-1' })
  })
  it('refuses a token signed with another key or altered', () => {
    const token = signUserToken(Buffer.from('b'.repeat(40)), 'user-1', 60)
    expect(verifyUserToken(secret, token)).toEqual({ ok: false, code: 'TOKEN_INVALID' })
    const [, signature] = signUserToken(secret, 'user-1', 60).split('.')
    const forged = `${Buffer.from(JSON.stringify({ sub: 'user-2', exp: 9e9 })).toString('base64url')}.${signature}`
    expect(verifyUserToken(secret, forged)).toEqual({ ok: false, code: 'TOKEN_INVALID' })
    expect(verifyUserToken(secret, 'garbage')).toEqual({ ok: false, code: 'TOKEN_INVALID' })
  })
  it('refuses an expired token', () => {
    const token = signUserToken(secret, 'user-1', 60, Date.now() - 120_000)
    expect(verifyUserToken(secret, token)).toEqual({ ok: false, code: 'TOKEN_EXPIRED' })
  })
})
