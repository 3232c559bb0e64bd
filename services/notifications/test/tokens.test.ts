import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import pg from 'pg'
import { waitFor } from '@nudj-webhooks/testing'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import type { RunningNotifications } from '../src/start-notifications.ts'
import { signUserToken } from '../src/user-token.ts'
import { createSuite, startInProcess, tokenFor, tokenSecret, users, type Suite } from './harness.ts'
import { openStream } from './open-stream.ts'

const infra = inject('infra')
let suite: Suite
let service: RunningNotifications
const logLines: string[] = []
// Every token this file sends: none may appear in any log line.
const sent: string[] = []
const use = (token: string): string => {
  sent.push(token)
  return token
}
const previousKey = randomBytes(32).toString('base64url')
const [alice, bob, carol, dave] = users.map((u) => u.id) as [string, string, string, string]
const listUrl = (userId: string): string => `${service.address}/v1/users/${userId}/notifications`
const list = async (userId: string, token: string) => {
  const response = await fetch(listUrl(userId), { headers: { authorization: `Bearer ${use(token)}` } })
  return { status: response.status, body: (await response.json()) as { error?: string } }
}

beforeAll(async () => {
  suite = await createSuite(infra)
  service = await startInProcess(
    infra,
    suite,
    {
      NOTIFICATIONS_TOKEN_PREVIOUS_SECRETS: previousKey,
      // A request stuck behind a lock fails (500) instead of hanging: the server cancels it.
      POSTGRES_STATEMENT_TIMEOUT: '500ms',
      NOTIFICATIONS_TRUSTED_PROXIES: '127.0.0.1',
    },
    logLines,
  )
}, 180_000)
afterAll(async () => {
  await service?.close()
  await suite?.database.drop()
})

describe('user tokens: expiry, key ids, rotation', () => {
  it('refuses an expired token (401 TOKEN_EXPIRED) and a key it does not hold (401 TOKEN_UNKNOWN_KEY)', async () => {
    expect(await list(alice, tokenFor(alice, -1))).toMatchObject({ status: 401, body: { code: 'TOKEN_EXPIRED' } })
    const stranger = signUserToken(randomBytes(32), alice, 600)
    expect(await list(alice, stranger)).toMatchObject({ status: 401, body: { code: 'TOKEN_UNKNOWN_KEY' } })
    const stream = await openStream(`${listUrl(alice)}/stream`, { token: use(stranger) })
    expect(stream).toMatchObject({ status: 401, error: { code: 'TOKEN_UNKNOWN_KEY' } })
    // Signed by the right key, then altered: the key id is known, the signature is not.
    const [kid, , signature] = tokenFor(alice).split('.')
    const forged = `${kid}.${Buffer.from(JSON.stringify({ sub: alice, iat: 1, exp: 9e9 })).toString('base64url')}.${signature}`
    expect(await list(alice, forged)).toMatchObject({ status: 401, body: { code: 'TOKEN_INVALID' } })
  })

  it('still verifies a token of the previous (rotated) key while it is valid, and refuses it once expired', async () => {
    const old = Buffer.from(previousKey)
    expect(await list(alice, signUserToken(old, alice, 600))).toMatchObject({ status: 200, body: { items: [] } })
    expect(await list(alice, signUserToken(old, alice, 60, Date.now() - 120_000))).toMatchObject({
      status: 401,
      body: { code: 'TOKEN_EXPIRED' },
    })
  })
})

describe('revocation', () => {
  it('refuses a revoked user’s tokens (401 TOKEN_REVOKED), ends their open stream, and accepts a token issued later', async () => {
    const token = use(tokenFor(bob))
    const stream = await openStream(`${listUrl(bob)}/stream`, { token })
    expect(stream.status).toBe(200)
    const other = await openStream(`${listUrl(carol)}/stream`, { token: use(tokenFor(carol)) })

    const cli = fileURLToPath(new URL('../bin/notifications.ts', import.meta.url))
    const { stdout } = await promisify(execFile)(process.execPath, [cli, 'revoke', bob], {
      env: { ...process.env, DATABASE_URL: suite.database.url },
    })
    expect(stdout).toMatch(new RegExp(`^tokens of ${bob} issued before \\S+ are revoked`))

    // The service ends the stream when the revocation's NOTIFY arrives; the client sees the end.
    await stream.ended
    expect(await list(bob, token)).toMatchObject({ status: 401, body: { code: 'TOKEN_REVOKED' } })
    const refused = await openStream(`${listUrl(bob)}/stream`, { token })
    expect(refused).toMatchObject({ status: 401, error: { code: 'TOKEN_REVOKED' } })
    // Token times are whole seconds: one issued in a later second is accepted.
    expect(await list(bob, signUserToken(Buffer.from(tokenSecret), bob, 600, Date.now() + 1_000))).toMatchObject({ status: 200 })
    // Another user's stream goes on: it still receives heartbeats.
    const heard = other.comments.length
    await waitFor(() => other.comments.length >= heard + 2, { timeoutMs: 10_000, message: 'the other user’s stream stopped' })
    other.close()
  })
})

describe('the cookie the page exchanges a token for', () => {
  it('is HttpOnly, SameSite=Strict, limited to the user’s path, Secure over TLS, and accepted by the inbox and the stream', async () => {
    const token = use(tokenFor(dave, 300))
    const exchange = await fetch(`${listUrl(dave)}/session`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'x-forwarded-proto': 'https' },
    })
    expect(exchange.status).toBe(200)
    expect(((await exchange.json()) as { userId: string }).userId).toBe(dave)
    const cookie = exchange.headers.get('set-cookie')!
    const [pair, ...attributes] = cookie.split('; ')
    expect(pair).toBe(`nudj_notifications_token=${token}`)
    expect(attributes).toEqual(expect.arrayContaining(['HttpOnly', 'SameSite=Strict', 'Secure', `Path=/v1/users/${dave}/notifications`]))
    const maxAge = Number(attributes.find((a) => a.startsWith('Max-Age='))!.slice(8))
    expect(maxAge).toBeGreaterThan(0)
    expect(maxAge).toBeLessThanOrEqual(300)
    // Plain HTTP without a proxy saying otherwise: no Secure (the browser would drop the cookie).
    const plain = await fetch(`${listUrl(dave)}/session`, { method: 'POST', headers: { authorization: `Bearer ${token}` } })
    expect(plain.headers.get('set-cookie')).not.toMatch(/Secure/)

    const byCookie = await fetch(listUrl(dave), { headers: { cookie: pair! } })
    expect(byCookie.status).toBe(200)
    const stream = await openStream(`${listUrl(dave)}/stream`, { headers: { cookie: pair! } })
    expect(stream.status).toBe(200)
    stream.close()
    // Another user's route does not take it (the browser would not even send it there).
    expect((await fetch(listUrl(alice), { headers: { cookie: pair! } })).status).toBe(403)

    const logout = await fetch(`${listUrl(dave)}/session`, { method: 'DELETE' })
    expect(logout.status).toBe(204)
    expect(logout.headers.get('set-cookie')).toMatch(
      /^nudj_notifications_token=; Path=\/v1\/users\/[^;]+\/notifications; Max-Age=0; HttpOnly/,
    )
  })
})

describe('tokens and logs', () => {
  it('logs a 500 (statement_timeout) with the URL redacted, and no token anywhere in the log', async () => {
    const token = use(tokenFor(alice))
    const locker = new pg.Client({ connectionString: suite.database.url })
    await locker.connect()
    try {
      await locker.query('BEGIN')
      await locker.query('LOCK TABLE notifications IN ACCESS EXCLUSIVE MODE')
      const response = await fetch(`${listUrl(alice)}?limit=5&token=${token}`)
      expect(response.status).toBe(500)
      expect(await response.json()).toEqual({ code: 'INTERNAL', message: 'internal error; try again' })
    } finally {
      await locker.query('ROLLBACK')
      await locker.end()
    }
    const failures = logLines.map((l) => JSON.parse(l) as { msg: string; url?: string; err?: { message: string } })
    const failed = failures.find((l) => l.msg === 'request failed')
    expect(failed).toMatchObject({ url: `/v1/users/${alice}/notifications?limit=[redacted]&token=[redacted]` })
    expect(failed!.err!.message).toMatch(/statement timeout/)

    const log = logLines.join('\n')
    expect(sent.length).toBeGreaterThan(10)
    for (const t of sent) {
      expect(log).not.toContain(t)
      expect(log).not.toContain(t.split('.')[2])
    }
  })
})
