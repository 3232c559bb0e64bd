import type pg from 'pg'
import { EmailError } from './email-error.ts'

export type SendState = 'waiting' | 'sending' | 'sent' | 'deferred' | 'rejected' | 'suppressed' | 'no_recipient' | 'invalid_recipient'

/** The states decided without sending: final, a later run has nothing more to do. */
export type SkipState = 'suppressed' | 'no_recipient' | 'invalid_recipient'

const finalStates = new Set<SendState>(['sent', 'suppressed', 'no_recipient', 'invalid_recipient'])

/** Sent, or decided without sending: whoever finds this state has nothing more to do. */
export const isFinal = (state: SendState): boolean => finalStates.has(state)

export type SendRecord = { state: SendState; attempts: number; messageId: string | null; resumed: boolean }

export type SendLedger = {
  get: (group: string, webhookId: string) => Promise<SendRecord | undefined>
  /** Parked until its user's address is known (see create-waiting-sends.ts); never overwrites a later state. */
  waiting: (group: string, webhookId: string, event: string) => Promise<void>
  /**
   * Step 1, just before the SMTP call: `sending` (from now on the server may have the message).
   * Throws SEND_IN_PROGRESS (retried) while another live run is sending this id, and
   * SEND_ALREADY_DECIDED (retried, then found final) when another run decided it meanwhile.
   */
  claim: (group: string, webhookId: string, row: { event: string; template: string; recipient: string; messageId: string }) => Promise<void>
  /** Step 2: the server accepted it. `resumed`: an earlier attempt may have reached the server too. */
  sent: (group: string, webhookId: string, reply: string, resumed: boolean) => Promise<void>
  /** A definite refusal (4xx: deferred, 5xx: rejected): the message was certainly not accepted. */
  refused: (group: string, webhookId: string, state: 'deferred' | 'rejected', reply: string) => Promise<void>
  /** Decided without sending (suppressed, no recipient, a recipient refused by parseRecipient: `reason` says why); never overwrites `sent`. */
  skipped: (group: string, webhookId: string, event: string, state: SkipState, reason?: string) => Promise<void>
  /**
   * The attempt ended without a known outcome (a timeout, a lost connection): the row stays
   * `sending` (the server may have the message) and the lock goes, so the retry resends now
   * rather than be refused as in progress until `holdMs`.
   */
  release: (group: string, webhookId: string) => Promise<void>
  /** Lets go of the claims still held (sends whose outcome was never recorded); before the pool ends. */
  close: () => Promise<void>
}

/** CONSUMER_HANDLER_TIMEOUT's default (30 s) and a margin: see `holdMs`. */
const defaultHoldMs = 35_000

/**
 * The email-specific ledger (claim → sent) beside the runtime's consumer_ledger: what was sent
 * to whom, and when.
 *
 * Two runs may hold the same webhook at once: after a rebalance the partition's new owner can
 * start on a message the old owner is still sending (docs/adr/0004). So a claim also takes a
 * Postgres advisory lock on the id, on a connection of its own kept until the outcome is
 * recorded (sent, refused) or `holdMs` has passed (the handler timeout and a margin: an
 * attempt is over by then). Whoever finds the lock taken must not send: SEND_IN_PROGRESS, and
 * the runtime's retry tiers try again later, when the id is either sent (nothing to do) or no
 * longer held (the unfinished-claim path: resend, same Message-ID). A run that dies (SIGKILL)
 * loses its connection and so its lock at once: its `sending` row is resent without waiting.
 */
export function createSendLedger(pool: pg.Pool, options: { holdMs?: number } = {}): SendLedger {
  const holdMs = options.holdMs ?? defaultHoldMs
  const held = new Map<string, Hold>()
  const keyOf = (group: string, webhookId: string): string => `email-send:${group}:${webhookId}`

  /** Records an outcome on the claim's own connection (never a second one: the pool may be all claims), then lets go. */
  async function record(group: string, webhookId: string, sql: string, params: unknown[]): Promise<void> {
    const hold = held.get(keyOf(group, webhookId))
    if (!hold?.connected()) {
      await hold?.letGo()
      await pool.query(sql, params)
      return
    }
    try {
      await hold.client.query(sql, params)
    } finally {
      await hold.letGo()
    }
  }

  return {
    async get(group, webhookId) {
      const { rows } = await pool.query<{ state: SendState; attempts: number; message_id: string | null; resumed: boolean }>(
        'SELECT state, attempts, message_id, resumed FROM email_sends WHERE consumer_group = $1 AND webhook_id = $2',
        [group, webhookId],
      )
      const row = rows[0]
      return row && { state: row.state, attempts: row.attempts, messageId: row.message_id, resumed: row.resumed }
    },
    async waiting(group, webhookId, event) {
      await pool.query(
        `INSERT INTO email_sends (consumer_group, webhook_id, event, state) VALUES ($1, $2, $3, 'waiting') ON CONFLICT DO NOTHING`,
        [group, webhookId, event],
      )
    },
    async claim(group, webhookId, row) {
      const key = keyOf(group, webhookId)
      const hold: Hold = holdOn(await pool.connect(), holdMs, () => {
        if (held.get(key) === hold) held.delete(key)
      })
      try {
        const lock = await hold.client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked', [key])
        if (!lock.rows[0]?.locked)
          throw new EmailError('retry', 'SEND_IN_PROGRESS', 'another run is sending this email now; tried again later')
        const claimed = await hold.client.query(
          `INSERT INTO email_sends (consumer_group, webhook_id, event, template, recipient, message_id, state, attempts)
           VALUES ($1, $2, $3, $4, $5, $6, 'sending', 1)
           ON CONFLICT (consumer_group, webhook_id) DO UPDATE SET state = 'sending', attempts = email_sends.attempts + 1,
             template = EXCLUDED.template, recipient = EXCLUDED.recipient, message_id = EXCLUDED.message_id, updated_at = now()
           WHERE email_sends.state <> ALL($7::text[])`,
          [group, webhookId, row.event, row.template, row.recipient, row.messageId, [...finalStates]],
        )
        if (claimed.rowCount === 0)
          throw new EmailError('retry', 'SEND_ALREADY_DECIDED', 'another run decided this email meanwhile; tried again, it finds that')
      } catch (err) {
        await hold.letGo()
        throw err
      }
      held.set(key, hold)
    },
    async sent(group, webhookId, reply, resumed) {
      await record(
        group,
        webhookId,
        `UPDATE email_sends SET state = 'sent', smtp_reply = $3, resumed = $4, sent_at = now(), updated_at = now()
         WHERE consumer_group = $1 AND webhook_id = $2`,
        [group, webhookId, reply, resumed],
      )
    },
    async refused(group, webhookId, state, reply) {
      await record(
        group,
        webhookId,
        `UPDATE email_sends SET state = $3, smtp_reply = $4, updated_at = now() WHERE consumer_group = $1 AND webhook_id = $2`,
        [group, webhookId, state, reply],
      )
    },
    async skipped(group, webhookId, event, state, reason) {
      await pool.query(
        `INSERT INTO email_sends (consumer_group, webhook_id, event, state, reason) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (consumer_group, webhook_id) DO UPDATE SET state = EXCLUDED.state, reason = EXCLUDED.reason, updated_at = now()
         WHERE email_sends.state <> 'sent'`,
        [group, webhookId, event, state, reason ?? null],
      )
    },
    async release(group, webhookId) {
      await held.get(keyOf(group, webhookId))?.letGo()
    },
    async close() {
      const holds = [...held.values()]
      held.clear()
      await Promise.all(holds.map(async (hold) => await hold.letGo()))
    },
  }
}

type Hold = {
  client: pg.PoolClient
  /** False once the connection is lost or given back (its lock went with it). */
  connected: () => boolean
  /** Gives the connection back without its lock; once, whichever comes first: the outcome, `holdMs`, close. */
  letGo: () => Promise<void>
}

/**
 * A claim's own connection. Past `holdMs` the attempt is over (its handler timed out): the lock
 * goes and the next run may send. A connection lost meanwhile has lost the lock with it; its
 * error is handled here, since a checked-out client's is the holder's to catch.
 */
function holdOn(client: pg.PoolClient, holdMs: number, onGone: () => void): Hold {
  let gone = false
  const give = (err?: Error | boolean): void => {
    if (gone) return
    gone = true
    clearTimeout(timer)
    client.removeListener('error', give)
    client.release(err)
    onGone()
  }
  const letGo = async (): Promise<void> => {
    if (gone) return
    const unlocked = await client.query('SELECT pg_advisory_unlock_all()').then(
      () => true,
      () => false,
    )
    // A connection that could not unlock is closed, which drops its lock.
    give(!unlocked)
  }
  const timer = setTimeout(() => void letGo(), holdMs)
  client.on('error', give)
  return { client, connected: () => !gone, letGo }
}
