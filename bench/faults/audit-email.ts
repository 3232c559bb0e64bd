import { createHash } from 'node:crypto'
import pg from 'pg'
import type { SentWebhook } from './record-deliveries.ts'

// The default routes (services/email/routes.json), written down here so the audit does not
// read the service's own decision: canonical event -> fixed recipient, or the event's user.
const routes: Record<string, 'user' | 'support'> = {
  'reward.earned': 'user',
  'reward.delivered': 'user',
  'reward.delivery_failed': 'support',
  'challenge.completed': 'user',
  'achievement.earned': 'user',
  'referral.referrer_credited': 'user',
  'referral.referee_credited': 'user',
}

export type EmailAudit = {
  routed: number
  /** Routed webhooks that carry their own address or go to a fixed one: an email is certain. */
  must_send: number
  decided: Record<string, number>
  undecided: number
  must_send_not_sent: number
  sent_rows: number
  messages: number
  sent_without_message: number
  doubled: number
  doubled_resumed: number
  unexplained_messages: number
  unrouted_rows: number
  examples: string[]
}

const messageIdOf = (webhookId: string, domain: string): string => `${createHash('sha256').update(webhookId).digest('hex')}@${domain}`

/**
 * Every routed webhook was decided once (sent, no recipient, suppressed) in the send ledger;
 * every `sent` one is exactly one message in Mailpit with the Message-ID derived from its
 * webhook id; a repeat is counted, with whether the ledger recorded it as a resumed send.
 */
export async function auditEmail(
  webhooks: SentWebhook[],
  databaseUrl: string,
  messageIds: Map<string, number>,
  domain: string,
): Promise<EmailAudit> {
  const routed = webhooks.filter((w) => w.problems === 0 && routes[w.event.canonical] !== undefined)
  const mustSend = new Set(
    routed.filter((w) => routes[w.event.canonical] === 'support' || w.event.user.email !== undefined).map((w) => w.event.webhookId),
  )
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 1 })
  let rows: { webhook_id: string; state: string; resumed: boolean }[]
  try {
    rows = (await pool.query<{ webhook_id: string; state: string; resumed: boolean }>('SELECT webhook_id, state, resumed FROM email_sends'))
      .rows
  } finally {
    await pool.end()
  }
  const byId = new Map(rows.map((r) => [r.webhook_id, r]))
  const routedIds = new Set(routed.map((w) => w.event.webhookId))
  const examples: string[] = []
  const decided: Record<string, number> = {}
  let undecided = 0
  let mustSendNotSent = 0
  for (const id of routedIds) {
    const row = byId.get(id)
    if (!row || row.state === 'sending') {
      undecided += 1
      if (examples.length < 10) examples.push(`undecided ${id} (${row?.state ?? 'no row'})`)
      continue
    }
    decided[row.state] = (decided[row.state] ?? 0) + 1
    if (mustSend.has(id) && row.state !== 'sent') {
      mustSendNotSent += 1
      if (examples.length < 10) examples.push(`not sent ${id}: ${row.state}`)
    }
  }
  const expectedMessages = new Set<string>()
  let sentRows = 0
  let missing = 0
  let doubled = 0
  let doubledResumed = 0
  for (const row of rows) {
    if (row.state !== 'sent') continue
    sentRows += 1
    const messageId = messageIdOf(row.webhook_id, domain)
    expectedMessages.add(messageId)
    const copies = messageIds.get(messageId) ?? 0
    if (copies === 0) missing += 1
    if (copies > 1) {
      doubled += copies - 1
      if (row.resumed) doubledResumed += copies - 1
      if (examples.length < 10) examples.push(`${copies} copies of ${row.webhook_id} (resumed ${row.resumed})`)
    }
  }
  const unexplained = [...messageIds.entries()].filter(([id]) => !expectedMessages.has(id)).reduce((sum, [, n]) => sum + n, 0)
  return {
    routed: routedIds.size,
    must_send: mustSend.size,
    decided,
    undecided,
    must_send_not_sent: mustSendNotSent,
    sent_rows: sentRows,
    messages: [...messageIds.values()].reduce((a, b) => a + b, 0),
    sent_without_message: missing,
    doubled,
    doubled_resumed: doubledResumed,
    unexplained_messages: unexplained,
    unrouted_rows: rows.filter((r) => !routedIds.has(r.webhook_id)).length,
    examples,
  }
}
