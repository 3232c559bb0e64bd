import type { NudjEvent } from '@nudj-webhooks/contracts'
import { dispositionOf } from '@nudj-webhooks/kafka'
import type pg from 'pg'
import type { Logger } from 'pino'
import type { Contacts } from './create-contacts.ts'
import type { EmailMetrics } from './create-email-metrics.ts'
import type { SendEmail } from './create-send-email.ts'
import { isFinal, type SendLedger } from './create-send-ledger.ts'

export type WaitingSends = {
  /** A routed event whose user has no address yet: sent once it is known, `no_recipient` after the wait. */
  park: (event: NudjEvent, id: string, userId: string, template: string) => Promise<void>
  /** The user's contact was stored: its waiting sends are due now (for every replica; this one looks at once). */
  release: (userId: string) => Promise<void>
  /** Whether the id waits here: then its email is this loop's to decide, not the handler's. */
  holds: (id: string) => Promise<boolean>
  /** Decides every due send, one at a time (what the loop does); answers how many it claimed. */
  drain: () => Promise<number>
  close: () => Promise<void>
}

type Claimed = { webhook_id: string; user_id: string; template: string; event: string; attempts: number; expired: boolean; waited: number }

/**
 * Sends waiting for their recipient (README, "Waiting for the address"). The handler parks
 * the event in `email_waiting`, due at the end of the wait; storing a contact makes that
 * user's never-claimed rows due now. A loop on every replica claims one due row at a time
 * (one statement, `FOR UPDATE SKIP LOCKED`, moving its due time past the send, as
 * notifications' chat outbox does; `concurrency` senders at once) and decides it through the same send as the handler and
 * the same send ledger, so the email goes once across replicas and restarts; a claim whose
 * replica died is taken again after `claimMs`, and a `sending` row is resent with the same
 * Message-ID. A retryable failure is due again after the retry schedule's next delay (the
 * last repeats); a fatal one stays in the table with `failed_at` and is logged.
 *
 * Parking and storing a contact each write first and then read the other side (`park`
 * reads the contact after its insert; the handler releases after the contact's upsert),
 * so whichever commits second sees the first: a release is never missed. The loop is also
 * nudged after both, and polls every `pollMs` for ends of waits, retries and lost claims.
 */
export function createWaitingSends(options: {
  pool: pg.Pool
  group: string
  waitMs: number
  pollMs: number
  claimMs: number
  concurrency: number
  retrySchedule: number[]
  contacts: Contacts
  ledger: SendLedger
  send: SendEmail
  metrics: EmailMetrics
  logger: Logger
}): WaitingSends {
  const { pool, group, contacts, ledger, metrics, logger } = options
  const stopping = new AbortController()
  const seconds = (ms: number): number => ms / 1000

  async function release(userId: string): Promise<void> {
    // Only rows never claimed: a claimed one is being (or was) decided; moving it would let a second sender in.
    const { rowCount } = await pool.query(
      'UPDATE email_waiting SET due_at = now() WHERE user_id = $1 AND attempts = 0 AND due_at > now() AND failed_at IS NULL',
      [userId],
    )
    if ((rowCount ?? 0) > 0) nudge()
  }

  async function claim(): Promise<Claimed | undefined> {
    const { rows } = await pool.query<Claimed>(
      `UPDATE email_waiting SET due_at = now() + make_interval(secs => $2), attempts = attempts + 1
       WHERE consumer_group = $1 AND webhook_id = (
         SELECT webhook_id FROM email_waiting WHERE consumer_group = $1 AND failed_at IS NULL AND due_at <= now()
         ORDER BY due_at LIMIT 1 FOR UPDATE SKIP LOCKED)
       RETURNING webhook_id, user_id, template, event, attempts, parked_at + make_interval(secs => $3) <= now() AS expired,
         extract(epoch FROM now() - parked_at)::float8 AS waited`,
      [group, seconds(options.claimMs), seconds(options.waitMs)],
    )
    return rows[0]
  }

  async function decide(row: Claimed): Promise<void> {
    const id = row.webhook_id
    const before = await ledger.get(group, id)
    if (!before || !isFinal(before.state)) {
      const contact = await contacts.read(row.user_id)
      if (!contact?.email && !contact?.emailProblem && !row.expired) {
        // Due with no address and the wait not over (EMAIL_RECIPIENT_WAIT was raised since it was
        // parked, say): unclaimed again, it waits on, unless the address came in the meantime.
        await pool.query(
          `UPDATE email_waiting SET attempts = 0, due_at = CASE
             WHEN EXISTS (SELECT 1 FROM email_contacts c WHERE c.user_id = email_waiting.user_id AND (c.email IS NOT NULL OR c.email_problem IS NOT NULL))
             THEN now() ELSE parked_at + make_interval(secs => $3) END
           WHERE consumer_group = $1 AND webhook_id = $2`,
          [group, id, seconds(options.waitMs)],
        )
        return
      }
      const event = JSON.parse(row.event) as NudjEvent
      const route = { event: event.canonical, template: row.template, enabled: true, to: 'user' as const }
      const signal = AbortSignal.any([stopping.signal, AbortSignal.timeout(options.claimMs)])
      await options.send({ event, id, route, contact, before, signal, logger: logger.child({ webhookId: id, waitedFor: 'recipient' }) })
      metrics.recipientWait.observe(row.waited)
    }
    // The ledger holds the decision before the row goes: a rerun finding neither sees it final there.
    await pool.query('DELETE FROM email_waiting WHERE consumer_group = $1 AND webhook_id = $2', [group, id])
  }

  /** One sender: claims and decides due rows until none is left, or a retryable failure. */
  async function drainOne(): Promise<number> {
    let claimed = 0
    while (!stopping.signal.aborted) {
      const row = await claim()
      if (!row) break
      claimed += 1
      try {
        await decide(row)
      } catch (err) {
        const failure = dispositionOf(err)
        const error = `${failure.code}: ${failure.message}`
        if (failure.kind === 'fatal') {
          await pool.query('UPDATE email_waiting SET failed_at = now(), last_error = $3 WHERE consumer_group = $1 AND webhook_id = $2', [
            group,
            row.webhook_id,
            error,
          ])
          logger.error(
            { webhookId: row.webhook_id, errorCode: failure.code, error: failure.message },
            'waiting email failed; kept in email_waiting',
          )
          continue
        }
        const delay = options.retrySchedule[Math.min(row.attempts, options.retrySchedule.length) - 1] ?? options.pollMs
        await pool.query(
          'UPDATE email_waiting SET due_at = now() + make_interval(secs => $3), last_error = $4 WHERE consumer_group = $1 AND webhook_id = $2',
          [group, row.webhook_id, seconds(delay), error],
        )
        logger.warn(
          { webhookId: row.webhook_id, errorCode: failure.code, attempts: row.attempts, retryInMs: delay },
          'waiting email not sent yet',
        )
        // SMTP or Postgres may be down for every row: the next poll tries again.
        break
      }
    }
    return claimed
  }

  // Several senders at once, as the handler sends from several partitions at once: a release of
  // many rows (a user topic that lagged) goes out at the pace of the SMTP pool, not one by one.
  async function drain(): Promise<number> {
    const counts = await Promise.all(Array.from({ length: options.concurrency }, drainOne))
    return counts.reduce((sum, n) => sum + n, 0)
  }

  // `again`: nudged while draining, so drain once more before napping (the nudge's row may be past the drain's query).
  let again = false
  let wake: (() => void) | undefined
  function nudge(): void {
    again = true
    wake?.()
  }
  const nap = async (): Promise<void> =>
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer)
        stopping.signal.removeEventListener('abort', done)
        wake = undefined
        resolve()
      }
      const timer = setTimeout(done, options.pollMs)
      stopping.signal.addEventListener('abort', done, { once: true })
      wake = done
    })
  const loop = (async () => {
    while (!stopping.signal.aborted) {
      again = false
      try {
        await drain()
      } catch (err) {
        logger.warn({ err }, 'could not decide waiting emails; trying again')
      }
      if (!again) await nap()
    }
  })()

  return {
    async park(event, id, userId, template) {
      // The ledger first: the loop may decide the row as soon as it exists, and 'waiting' never overwrites that decision.
      await ledger.waiting(group, id, event.canonical)
      const { rowCount } = await pool.query(
        `INSERT INTO email_waiting (consumer_group, webhook_id, user_id, template, event, due_at)
         VALUES ($1, $2, $3, $4, $5, now() + make_interval(secs => $6)) ON CONFLICT DO NOTHING`,
        [group, id, userId, template, JSON.stringify(event), seconds(options.waitMs)],
      )
      if (rowCount === 1) metrics.recipientWaits.inc()
      // The contact may have been stored since the handler looked, its release finding no row yet.
      const contact = await contacts.read(userId)
      if (contact?.email || contact?.emailProblem) await release(userId)
    },
    release,
    async holds(id) {
      const { rowCount } = await pool.query('SELECT 1 FROM email_waiting WHERE consumer_group = $1 AND webhook_id = $2', [group, id])
      return (rowCount ?? 0) > 0
    },
    drain,
    async close() {
      stopping.abort()
      await loop
    },
  }
}

/** Rows of `email_waiting` for the gauge: still waiting, and failed (kept for an operator). */
export async function countWaitingSends(pool: pg.Pool, group: string): Promise<{ waiting: number; failed: number }> {
  const { rows } = await pool.query<{ waiting: number; failed: number }>(
    `SELECT count(*) FILTER (WHERE failed_at IS NULL)::int AS waiting, count(*) FILTER (WHERE failed_at IS NOT NULL)::int AS failed
     FROM email_waiting WHERE consumer_group = $1`,
    [group],
  )
  return rows[0] ?? { waiting: 0, failed: 0 }
}
