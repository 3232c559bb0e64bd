import { randomBytes } from 'node:crypto'
import { Writable } from 'node:stream'
import { createFreshDatabase, uniqueName, waitFor, type FreshDatabase } from '@nudj-webhooks/testing'
import pg from 'pg'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { startAnalytics, type RunningAnalytics } from '../src/start-analytics.ts'
import { produceEnvelopes } from './produce-envelopes.ts'
import { testConfig } from './start-test-analytics.ts'

// The query API as an outsider meets it: the real service over HTTP, two tokens (a rotation)
// and a short statement timeout.
const infra = inject('infra')
const prefix = uniqueName('analytics-api')
const current = randomBytes(24).toString('base64url')
const previous = randomBytes(24).toString('base64url')
const userId = uniqueName('user_api')
const logLines: string[] = []
let db: FreshDatabase
let analytics: RunningAnalytics | undefined

const get = async (path: string, headers: Record<string, string> = {}) => {
  // A bound on every answer: a request that hangs fails the test rather than the run.
  const response = await fetch(`${analytics!.address}${path}`, { headers, signal: AbortSignal.timeout(20_000) })
  return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, unknown> }
}
const bearer = (token: string) => ({ authorization: `Bearer ${token}` })

beforeAll(async () => {
  db = await createFreshDatabase(infra.databaseUrl, 'analytics_api')
  const config = testConfig(
    infra,
    { databaseUrl: db.url, topicPrefix: prefix, group: uniqueName('analytics-api') },
    { ANALYTICS_API_TOKENS: `${current},${previous}`, ANALYTICS_QUERY_TIMEOUT: '2s' },
  )
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(chunk.toString())
      done()
    },
  })
  analytics = await startAnalytics(config, pino({ level: 'info' }, sink))
  const body = {
    event: 'points.awarded',
    timestamp: '2026-05-01T10:00:00.000Z',
    data: { user: { id: userId }, points: { amount: 40, balance: 40, reason: 'test' } },
  }
  await produceEnvelopes(infra, `${prefix}.points`, [
    { webhookId: uniqueName('dlv_api'), event: 'points.awarded', category: 'points', body },
  ])
  await waitFor(async () => (await get(`/v1/users/${userId}`, bearer(current))).status === 200, {
    timeoutMs: 30_000,
    intervalMs: 250,
    message: 'the event was never projected',
  })
}, 120_000)

afterAll(async () => {
  await analytics?.close()
  await db?.drop()
})

describe('analytics query API: bearer tokens', () => {
  it('answers the data to either token of the rotation', async () => {
    for (const token of [current, previous]) {
      const { status, body } = await get(`/v1/users/${userId}`, bearer(token))
      expect(status).toBe(200)
      expect(body).toMatchObject({ userId, events: 1, netPoints: 40 })
    }
  })

  it('answers 401 with a challenge and no data without a token, or with a wrong one of the same length', async () => {
    const nearMiss = current.slice(0, -1) + (current.endsWith('A') ? 'B' : 'A')
    for (const headers of [{}, bearer(nearMiss), bearer('x'.repeat(current.length)), { authorization: `Basic ${current}` }]) {
      const { status, headers: answer, body } = await get(`/v1/users/${userId}`, headers)
      expect({ status, code: body.code }).toEqual({ status: 401, code: 'UNAUTHORIZED' })
      expect(answer.get('www-authenticate')).toMatch(/^Bearer realm="analytics"/)
      expect(typeof body.message).toBe('string')
      expect(JSON.stringify(body)).not.toContain(userId)
    }
  })

  it('does not take a token from the query string, and hides even which routes exist', async () => {
    for (const path of [`/v1/users/${userId}?access_token=${current}`, `/v1/summary?token=${current}`, '/v1/no-such-route']) {
      expect({ path, status: (await get(path)).status }).toEqual({ path, status: 401 })
    }
  })

  it('leaves the ops port open (health and metrics) and never logs a token', async () => {
    for (const path of ['/livez', '/readyz', '/metrics']) {
      expect({ path, status: (await fetch(`${analytics!.opsAddress}${path}`)).status }).toEqual({ path, status: 200 })
    }
    expect(logLines.join('\n')).toContain('analytics listening')
    expect(logLines.join('\n')).not.toContain(current)
    expect(logLines.join('\n')).not.toContain(previous)
  })
})

describe('analytics query API: statement timeout', () => {
  it('cancels a query that outlives ANALYTICS_QUERY_TIMEOUT and answers 504 QUERY_TIMEOUT, then serves again', async () => {
    // A transaction holding the table makes the API's query wait, deterministically, past the timeout.
    const blocker = new pg.Client({ connectionString: db.url })
    await blocker.connect()
    try {
      await blocker.query('BEGIN')
      await blocker.query('LOCK TABLE analytics_users IN ACCESS EXCLUSIVE MODE')
      const { status, body } = await get('/v1/users/top', bearer(current))
      expect({ status, code: body.code }).toEqual({ status: 504, code: 'QUERY_TIMEOUT' })
      expect(body.message).toContain('ANALYTICS_QUERY_TIMEOUT')
      await blocker.query('ROLLBACK')
    } finally {
      await blocker.end()
    }
    const again = await get('/v1/users/top', bearer(current))
    expect(again.status).toBe(200)
    expect(again.body.items).toEqual([expect.objectContaining({ userId })])
  })
})
