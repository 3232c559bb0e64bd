import { formatDelay } from '@nudj-webhooks/kafka'
import type { ChatOutbox } from './create-chat-outbox.ts'
import type { ChatMessage } from './create-chat-sender.ts'
import type { Queryable } from './create-inbox.ts'

export type BurstDetector = {
  /** Records one reward.delivery_failed; the failure that crosses the threshold records the window's alert. */
  record: (tx: Queryable, webhookId: string, occurredAt: Date) => Promise<void>
}

/**
 * At least `threshold` distinct failures (by webhook id) whose event time falls in one fixed
 * window (aligned to the epoch) raise one alert for that window. Order-independent: the count
 * is of rows, and `burst_alerts` (keyed by the window start) is written once, by the failure
 * that crosses the threshold, in the same transaction as the alert in the chat outbox (key
 * `burst:<window start>`, posted after commit). A transaction-scoped lock per window makes
 * concurrent transactions count one after another, so the one that crosses the threshold
 * always sees the others.
 */
export function createBurstDetector(options: {
  threshold: number
  windowMs: number
  chat: Pick<ChatOutbox, 'record'>
  onAlert: () => void
}): BurstDetector {
  const { threshold, windowMs } = options
  return {
    async record(tx, webhookId, occurredAt) {
      const windowStart = new Date(Math.floor(occurredAt.getTime() / windowMs) * windowMs)
      const windowEnd = new Date(windowStart.getTime() + windowMs)
      await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended('notifications-burst:' || $1, 0))`, [windowStart.toISOString()])
      await tx.query('INSERT INTO delivery_failures (webhook_id, occurred_at) VALUES ($1, $2) ON CONFLICT DO NOTHING', [
        webhookId,
        occurredAt,
      ])
      const { rows } = await tx.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM delivery_failures WHERE occurred_at >= $1 AND occurred_at < $2',
        [windowStart, windowEnd],
      )
      const failures = rows[0]?.n ?? 0
      if (failures < threshold) return
      const created = await tx.query(
        'INSERT INTO burst_alerts (window_start, triggered_by, failures) VALUES ($1, $2, $3) ON CONFLICT (window_start) DO NOTHING',
        [windowStart, webhookId, failures],
      )
      if (created.rowCount !== 1) return
      const text = `:rotating_light: Burst of reward delivery failures: ${failures} in the ${formatDelay(windowMs)} window from ${windowStart.toISOString()} (threshold ${threshold}).`
      const message: ChatMessage = { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] }
      await options.chat.record(tx, message, `burst:${windowStart.toISOString()}`)
      options.onAlert()
    },
  }
}
