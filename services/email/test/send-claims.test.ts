// Two runs of one webhook at once: after a rebalance the partition's new owner may start on a
// message its old owner is still sending (docs/adr/0004). Each owner here is what a process
// has: its own pool and send ledger, the real send path, real Postgres and the shared Mailpit;
// only the first owner's Mailer (our own interface) is held at its SMTP call, to be caught there.
import { normalizeNudjWebhook, type NudjEvent } from '@nudj-webhooks/contracts'
import { createLogger, createMetricsRegistry } from '@nudj-webhooks/observability'
import { migrate } from '@nudj-webhooks/postgres'
import { createFreshDatabase, createMailpitInbox, uniqueName, type FreshDatabase } from '@nudj-webhooks/testing'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { createEmailMetrics } from '../src/create-email-metrics.ts'
import { createMailer, type Mailer } from '../src/create-mailer.ts'
import { createRateLimiter } from '../src/create-rate-limiter.ts'
import { createSendEmail, type SendEmail } from '../src/create-send-email.ts'
import { createSendLedger, isFinal, type SendLedger } from '../src/create-send-ledger.ts'
import { createSuppressions } from '../src/create-suppressions.ts'
import { messageIdFor } from '../src/message-id.ts'
import { migrations } from '../src/migrations.ts'
import { gen2 } from './email-harness.ts'

const infra = inject('infra')
const inbox = createMailpitInbox(infra.mailApiUrl)
const run = uniqueName('c').replace(/_/g, '-')
const domain = `${run}.claims.test`
const group = 'email'
const route = { event: 'challenge.completed', template: 'challenge-completed', enabled: true, to: 'user' as const }
const logger = createLogger({ service: 'email', version: 'test', level: 'silent' })

type Owner = { pool: pg.Pool; ledger: SendLedger; send: SendEmail }

let database: FreshDatabase
let mailer: Mailer
const owners: Owner[] = []

/** An owner as a process has one: its own pool and ledger; `through` stands in for its mailer. */
function createOwner(through: Mailer = mailer): Owner {
  const pool = new pg.Pool({ connectionString: database.url, max: 4 })
  const ledger = createSendLedger(pool, { holdMs: 60_000 })
  const metrics = createEmailMetrics(createMetricsRegistry('email'), async () => await Promise.resolve({ waiting: 0, failed: 0 }))
  const send = createSendEmail({
    group,
    suppressions: createSuppressions(pool),
    ledger,
    mailer: through,
    limiter: createRateLimiter(1_000),
    metrics,
    from: 'nudj@example.com',
    messageIdDomain: domain,
    defaultLocale: 'en',
    unsubscribe: { mailto: 'unsubscribe@example.com', url: 'https://example.com/unsubscribe' },
  })
  const owner = { pool, ledger, send }
  owners.push(owner)
  return owner
}

/** A routed event's send job for webhook `id`, to its own address; `before` as the handler reads it. */
async function jobFor(owner: Owner, id: string): Promise<Parameters<SendEmail>[0]> {
  const body = gen2('challenge.completed', { user: { id: `u-${id}`, email: `${id}@example.com` }, challenge: { id: 'c1', name: 'Race' } })
  const event: NudjEvent = normalizeNudjWebhook(JSON.stringify(body), { 'x-nudj-delivery-id': id })
  return { event, id, route, before: await owner.ledger.get(group, id), signal: new AbortController().signal, logger }
}

/** The emails Mailpit holds for webhook `id` (its Message-ID); every send has settled when asked. */
const emailsOf = async (id: string): Promise<number> => (await inbox.search(`message-id:"${messageIdFor(id, domain).slice(1, -1)}"`)).length

const sendRow = async (id: string) =>
  (await owners[0]!.pool.query('SELECT state, attempts, resumed FROM email_sends WHERE webhook_id = $1', [id])).rows[0] as
    { state: string; attempts: number; resumed: boolean } | undefined

beforeAll(async () => {
  database = await createFreshDatabase(infra.databaseUrl, 'email_claims')
  const pool = new pg.Pool({ connectionString: database.url, max: 1 })
  await migrate(pool, 'email', migrations)
  await pool.end()
  mailer = createMailer({ url: infra.smtpUrl, pool: true, poolSize: 2, timeoutMs: 10_000, requireTls: false, rejectUnauthorized: true })
})
afterAll(async () => {
  for (const owner of owners.splice(0)) {
    await owner.ledger.close()
    await owner.pool.end()
  }
  await mailer?.close()
  await database?.drop()
})

describe('two owners of one webhook at once', () => {
  it('the second sends nothing while the first is sending (SEND_IN_PROGRESS), nor after it sent; one email arrives', async () => {
    const id = `wh-${run}-held`
    const atSmtp = Promise.withResolvers<void>()
    const release = Promise.withResolvers<void>()
    const first = createOwner({
      ...mailer,
      send: async (email) => {
        atSmtp.resolve()
        await release.promise
        return await mailer.send(email)
      },
    })
    const second = createOwner()

    const sending = first.send(await jobFor(first, id))
    try {
      await atSmtp.promise
      // The first claimed the id and is at its SMTP call: the second, a run with an unfinished claim, finds it sending.
      const rerun = await jobFor(second, id)
      expect(rerun.before).toMatchObject({ state: 'sending', attempts: 1 })
      await expect(second.send(rerun)).rejects.toMatchObject({ code: 'SEND_IN_PROGRESS', retryable: true })
      expect(await emailsOf(id)).toBe(0)
    } finally {
      release.resolve()
    }
    await sending

    // Its retry tier's run reads the ledger first and finds the id final (nothing to do); a run
    // that had read it before the first finished is refused at its claim.
    const retried = await jobFor(second, id)
    expect(retried.before && isFinal(retried.before.state)).toBe(true)
    const stale = { ...retried, before: undefined }
    await expect(second.send(stale)).rejects.toMatchObject({ code: 'SEND_ALREADY_DECIDED', retryable: true })
    expect(await emailsOf(id)).toBe(1)
    expect(await sendRow(id)).toEqual({ state: 'sent', attempts: 1, resumed: false })
  })

  it('racing on the same claims, one of the two sends each email and the other is refused', async () => {
    const [a, b] = [createOwner(), createOwner()]
    const ids = Array.from({ length: 12 }, (_, i) => `wh-${run}-race-${i}`)
    const outcomes = await Promise.all(
      ids.map(async (id) => {
        const [jobA, jobB] = [await jobFor(a, id), await jobFor(b, id)]
        return await Promise.allSettled([a.send(jobA), b.send(jobB)])
      }),
    )
    for (const [i, settled] of outcomes.entries()) {
      const refused = settled.filter((s) => s.status === 'rejected').map((s) => (s.reason as { code: string }).code)
      expect(refused, ids[i]).toHaveLength(1)
      expect(['SEND_IN_PROGRESS', 'SEND_ALREADY_DECIDED'], ids[i]).toContain(refused[0])
    }
    for (const id of ids) {
      expect(await emailsOf(id), id).toBe(1)
      expect(await sendRow(id), id).toEqual({ state: 'sent', attempts: 1, resumed: false })
    }
  })

  it('lets go of a claim whose SMTP call ended without an answer, so the retry resends at once with the same Message-ID', async () => {
    const id = `wh-${run}-timeout`
    // The server took the message, then the answer was lost: what a client-side timeout looks like.
    const lostAnswer = Object.assign(new Error('Timeout'), { code: 'ETIMEDOUT' })
    const first = createOwner({
      ...mailer,
      send: async (email) => {
        await mailer.send(email)
        throw lostAnswer
      },
    })
    await expect(first.send(await jobFor(first, id))).rejects.toMatchObject({ code: 'SMTP_CONNECTION_LOST', retryable: true })
    expect(await sendRow(id)).toEqual({ state: 'sending', attempts: 1, resumed: false })

    // The retry (same process or another) is not refused as in progress: it resends, same Message-ID.
    const retry = createOwner()
    await retry.send(await jobFor(retry, id))
    expect(await sendRow(id)).toEqual({ state: 'sent', attempts: 2, resumed: true })
    expect(await emailsOf(id)).toBe(2)
  })

  it('resends at once, same Message-ID, a claim no live run holds (its owner was killed)', async () => {
    const id = `wh-${run}-dead`
    const survivor = createOwner()
    // What a SIGKILL mid-send leaves: the row at 'sending', just now, and no connection holding its lock.
    await survivor.pool.query(
      `INSERT INTO email_sends (consumer_group, webhook_id, event, template, recipient, message_id, state, attempts)
       VALUES ($1, $2, 'challenge.completed', 'challenge-completed', $3, $4, 'sending', 1)`,
      [group, id, `${id}@example.com`, messageIdFor(id, domain)],
    )
    await survivor.send(await jobFor(survivor, id))
    expect(await emailsOf(id)).toBe(1)
    expect(await sendRow(id)).toEqual({ state: 'sent', attempts: 2, resumed: true })
  })
})
