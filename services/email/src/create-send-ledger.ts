import type pg from 'pg'

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
  /** Step 1, just before the SMTP call: `sending` (from now on the server may have the message). */
  claim: (group: string, webhookId: string, row: { event: string; template: string; recipient: string; messageId: string }) => Promise<void>
  /** Step 2: the server accepted it. `resumed`: an earlier attempt may have reached the server too. */
  sent: (group: string, webhookId: string, reply: string, resumed: boolean) => Promise<void>
  /** A definite refusal (4xx: deferred, 5xx: rejected): the message was certainly not accepted. */
  refused: (group: string, webhookId: string, state: 'deferred' | 'rejected', reply: string) => Promise<void>
  /** Decided without sending (suppressed, no recipient, a recipient refused by parseRecipient: `reason` says why). */
  skipped: (group: string, webhookId: string, event: string, state: SkipState, reason?: string) => Promise<void>
}

/** The email-specific ledger (claim → sent) beside the runtime's consumer_ledger: what was sent to whom, and when. */
export function createSendLedger(pool: pg.Pool): SendLedger {
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
      await pool.query(
        `INSERT INTO email_sends (consumer_group, webhook_id, event, template, recipient, message_id, state, attempts)
         VALUES ($1, $2, $3, $4, $5, $6, 'sending', 1)
         ON CONFLICT (consumer_group, webhook_id) DO UPDATE SET state = 'sending', attempts = email_sends.attempts + 1,
           template = EXCLUDED.template, recipient = EXCLUDED.recipient, message_id = EXCLUDED.message_id, updated_at = now()`,
        [group, webhookId, row.event, row.template, row.recipient, row.messageId],
      )
    },
    async sent(group, webhookId, reply, resumed) {
      await pool.query(
        `UPDATE email_sends SET state = 'sent', smtp_reply = $3, resumed = $4, sent_at = now(), updated_at = now()
         WHERE consumer_group = $1 AND webhook_id = $2`,
        [group, webhookId, reply, resumed],
      )
    },
    async refused(group, webhookId, state, reply) {
      await pool.query(
        `UPDATE email_sends SET state = $3, smtp_reply = $4, updated_at = now() WHERE consumer_group = $1 AND webhook_id = $2`,
        [group, webhookId, state, reply],
      )
    },
    async skipped(group, webhookId, event, state, reason) {
      await pool.query(
        `INSERT INTO email_sends (consumer_group, webhook_id, event, state, reason) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (consumer_group, webhook_id) DO UPDATE SET state = EXCLUDED.state, reason = EXCLUDED.reason, updated_at = now()`,
        [group, webhookId, event, state, reason ?? null],
      )
    },
  }
}
