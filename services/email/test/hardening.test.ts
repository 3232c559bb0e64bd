// Bounds of the email service against a real Postgres, Kafka and Mailpit: suppressions stored
// as raw strings before strict parsing, a statement Postgres cannot finish, API clients that
// trickle or flood.
import { connect } from 'node:net'
import { retryTopicName } from '@nudj-webhooks/kafka'
import { createLogger } from '@nudj-webhooks/observability'
import { migrate } from '@nudj-webhooks/postgres'
import { consumeUntil, createMailpitInbox, uniqueName, waitFor } from '@nudj-webhooks/testing'
import { Kafka, logLevel } from 'kafkajs'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { migrations } from '../src/migrations.ts'
import { adminToken, gen2, searchAll, startTestEmail, type TestEmail } from './email-harness.ts'

const infra = inject('infra')
const inbox = createMailpitInbox(infra.mailApiUrl)
const tag = uniqueName('hard').replace(/_/g, '-')
const address = (who: string): string => `${who}.${tag}@example.com`
const completed = (who: string, to = address(who)) =>
  gen2('challenge.completed', { user: { id: `usr-${who}`, email: to }, challenge: { id: 'c1', name: who } })

// What the API stored before version 2 of the schema: any lower-cased string with an @ in it.
const rawRows = [`x<${address('bracketed')}>`, `${address('listed-a')},${address('listed-b')}`, address('plain'), '"a,b"@example.com']

let email: TestEmail
beforeAll(async () => {
  email = await startTestEmail(infra, {
    env: { POSTGRES_STATEMENT_TIMEOUT: '1s', EMAIL_REQUEST_TIMEOUT: '2s' },
    // The schema of version 1, holding raw suppressions; the service migrates it when it starts.
    async prepare(url) {
      const pool = new pg.Pool({ connectionString: url, max: 1 })
      try {
        await migrate(pool, 'email', migrations.slice(0, 1), createLogger({ service: 'email', version: 'test', level: 'warn' }))
        for (const row of rawRows) await pool.query('INSERT INTO email_suppressions (email, reason) VALUES ($1, $2)', [row, 'old'])
      } finally {
        await pool.end()
      }
    },
  })
})
afterAll(async () => await email?.close())

const stateOf = async (id: string): Promise<string | undefined> =>
  (await email.pool.query<{ state: string }>('SELECT state FROM email_sends WHERE webhook_id = $1', [id])).rows[0]?.state

describe('suppressions stored before strict parsing', () => {
  it('become one row per address they name, and those addresses get nothing', async () => {
    const { rows } = await email.pool.query<{ email: string; reason: string }>(
      'SELECT email, reason FROM email_suppressions ORDER BY email',
    )
    expect(rows).toEqual(
      [
        { email: '"a,b"@example.com', reason: 'old' },
        { email: address('bracketed'), reason: 'old' },
        { email: address('listed-a'), reason: 'old' },
        { email: address('listed-b'), reason: 'old' },
        { email: address('plain'), reason: 'old' },
      ].sort((a, b) => (a.email < b.email ? -1 : 1)),
    )
    for (const who of ['bracketed', 'listed-b']) await email.send(completed(who), `wh-${tag}-${who}`)
    for (const who of ['bracketed', 'listed-b'])
      await waitFor(async () => (await stateOf(`wh-${tag}-${who}`)) === 'suppressed', { timeoutMs: 20_000 })
    expect(await searchAll(infra.mailApiUrl, tag)).toEqual([])
  })
})

describe('Postgres statement_timeout', () => {
  it('cancels a statement stuck behind a lock, retries the message, and sends once when the lock goes', async () => {
    const id = `wh-${tag}-locked`
    const holder = new pg.Client({ connectionString: email.db.url })
    await holder.connect()
    try {
      await holder.query('BEGIN')
      // The suppression check of the send waits for this lock; only statement_timeout (1 s here) ends the wait.
      await holder.query('LOCK TABLE email_suppressions IN ACCESS EXCLUSIVE MODE')
      await email.send(completed('locked'), id)
      await waitFor(async () => (await email.metric('webhooks_consumer_retries_total')) >= 1, {
        timeoutMs: 20_000,
        message: 'the stuck statement was not cancelled into a retry',
      })
    } finally {
      await holder.query('ROLLBACK')
      await holder.end()
    }
    const kafka = new Kafka({ brokers: infra.kafkaBrokers, logLevel: logLevel.NOTHING })
    const retried = await consumeUntil(kafka, {
      topics: [retryTopicName(email.group, 1000)],
      groupId: uniqueName('retry_reader'),
      until: (all) => all.some((r) => r.message.key?.toString() === id),
    })
    const headers = retried.find((r) => r.message.key?.toString() === id)!.message.headers ?? {}
    // Postgres' 57014 (query_canceled), well before the handler timeout (15 s) would have fired.
    expect(String(headers['x-error-code'])).toBe('STATEMENT_TIMEOUT')
    expect(String(headers['x-error-message'])).toMatch(/statement timeout/)
    await inbox.waitForMessages(`to:"${address('locked')}"`, 1, 20_000)
    await waitFor(async () => (await stateOf(id)) === 'sent', { timeoutMs: 10_000 })
    expect(await inbox.search(`to:"${address('locked')}"`)).toHaveLength(1)
  })
})

/** Writes `head` to the API, then a byte every 200 ms, and answers what the server said before closing. */
async function trickle(head: string): Promise<string> {
  const { hostname, port } = new URL(email.current().address)
  const socket = connect({ host: hostname, port: Number(port) })
  let answer = ''
  socket.on('data', (chunk: Buffer) => (answer += chunk.toString()))
  socket.on('error', () => undefined) // a reset after the 408 is the server doing its job
  const drip = setInterval(() => socket.writable && socket.write('y'), 200)
  socket.write(head)
  try {
    await waitFor(() => socket.closed, { timeoutMs: 20_000, message: 'the server kept a trickling connection open' })
  } finally {
    clearInterval(drip)
    socket.destroy()
  }
  return answer
}

describe('the suppression API against hostile clients', () => {
  it('answers 408 and closes a connection whose headers never end', async () => {
    expect(await trickle(`GET /v1/suppressions HTTP/1.1\r\nHost: email\r\nAuthorization: Bearer ${adminToken}\r\nX-Slow: `)).toMatch(
      /^HTTP\/1\.1 408 /,
    )
  })

  it('answers 408 and closes a connection whose body trickles in', async () => {
    const head = `PUT /v1/suppressions/${address('slow')} HTTP/1.1\r\nHost: email\r\nAuthorization: Bearer ${adminToken}\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n{"reason":"`
    expect(await trickle(head)).toMatch(/^HTTP\/1\.1 408 /)
    expect((await email.pool.query('SELECT 1 FROM email_suppressions WHERE email = $1', [address('slow')])).rowCount).toBe(0)
  })

  it('refuses a body larger than 16 KiB with 413 BODY_TOO_LARGE and stores nothing', async () => {
    const response = await fetch(`${email.current().address}/v1/suppressions/${address('big')}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'x'.repeat(20_000) }),
    })
    expect(response.status).toBe(413)
    expect(await response.json()).toEqual({ code: 'BODY_TOO_LARGE', message: 'the body is larger than 16384 bytes' })
    expect((await email.pool.query('SELECT 1 FROM email_suppressions WHERE email = $1', [address('big')])).rowCount).toBe(0)
  })
})
