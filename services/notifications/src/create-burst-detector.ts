import { formatDelay } from '@nudj-webhooks/kafka'
import type pg from 'pg'
import type { ChatMessage, SendChat } from './create-chat-sender.ts'

export type BurstDetector = {
  /** Records one reward.delivery_failed; the one failure that crosses the threshold sends the window's alert. */
  record: (webhookId: string, occurredAt: Date, signal: AbortSignal) => Promise<void>
}

/**
 * At least `threshold` distinct failures (by webhook id) whose event time falls in one fixed
 * window (aligned to the epoch) raise one alert for that window. Order-independent: the count
 * is of rows, and `burst_alerts` (keyed by the window start) records which failure owns the
 * alert, so whichever failure crosses the threshold first sends it, and only that one, once
 * (retried with the same idempotency key until sent).
 */
export function createBurstDetector(options: {
  pool: pg.Pool
  threshold: number
  windowMs: number
  sendChat: SendChat
  onAlert: () => void
}): BurstDetector {
  const { pool, threshold, windowMs } = options
  return {
    async record(webhookId, occurredAt, signal) {
      const windowStart = new Date(Math.floor(occurredAt.getTime() / windowMs) * windowMs)
      const windowEnd = new Date(windowStart.getTime() + windowMs)
      await pool.query('INSERT INTO delivery_failures (webhook_id, occurred_at) VALUES ($1, $2) ON CONFLICT DO NOTHING', [
        webhookId,
        occurredAt,
      ])
      const { rows } = await pool.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM delivery_failures WHERE occurred_at >= $1 AND occurred_at < $2',
        [windowStart, windowEnd],
      )
      const failures = rows[0]?.n ?? 0
      if (failures < threshold) return
      await pool.query(
        'INSERT INTO burst_alerts (window_start, triggered_by, failures) VALUES ($1, $2, $3) ON CONFLICT (window_start) DO NOTHING',
        [windowStart, webhookId, failures],
      )
      const owner = await pool.query<{ triggered_by: string; sent_at: Date | null; failures: number }>(
        'SELECT triggered_by, sent_at, failures FROM burst_alerts WHERE window_start = $1',
        [windowStart],
      )
      const alert = owner.rows[0]
      if (!alert || alert.triggered_by !== webhookId || alert.sent_at !== null) return
      const text = `:rotating_light: Burst of reward delivery failures: ${alert.failures} in the ${formatDelay(windowMs)} window from ${windowStart.toISOString()} (threshold ${threshold}).`
      const message: ChatMessage = { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] }
      await options.sendChat(message, `burst:${windowStart.toISOString()}`, signal)
      await pool.query('UPDATE burst_alerts SET sent_at = now() WHERE window_start = $1', [windowStart])
      options.onAlert()
    },
  }
}
