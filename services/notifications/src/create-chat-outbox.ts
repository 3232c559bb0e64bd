import { setTimeout as sleep } from 'node:timers/promises'
import type pg from 'pg'
import type { Logger } from 'pino'
import type { ChatMessage, SendChat } from './create-chat-sender.ts'
import type { Queryable } from './create-inbox.ts'
import type { NotificationsMetrics } from './create-notifications-metrics.ts'

export type ChatOutbox = {
  /**
   * Records an alert in the consumer's transaction (once per key; true when new). Nothing is
   * posted before that transaction commits, and a rolled-back batch leaves nothing to post.
   */
  record: (tx: Queryable, message: ChatMessage, idempotencyKey: string) => Promise<boolean>
  /** Posts every due alert, one at a time (what the loop does each interval); answers how many it claimed. */
  drain: () => Promise<number>
  close: () => Promise<void>
}

type Claimed = { idempotency_key: string; message: ChatMessage; attempts: number }

/**
 * Operator alerts posted after commit (the outbox pattern): the handler records the alert in
 * `chat_outbox` with the batch; a loop on every replica claims one due row at a time (one
 * statement, `FOR UPDATE SKIP LOCKED`, moving its due time past the post), posts it, and marks
 * it sent. Two replicas, or a batch retried message by message, post it once; a claim whose
 * replica died expires after `claimMs` and the alert is posted again with the same
 * Idempotency-Key. A retryable failure is due again after the retry schedule's next delay
 * (the last one repeats); a refusal (4xx) is kept as rejected and logged, not retried.
 * No URL: alerts are counted as `disabled` and not recorded.
 */
export function createChatOutbox(options: {
  pool: pg.Pool
  send: SendChat | undefined
  retrySchedule: number[]
  intervalMs: number
  claimMs: number
  metrics: NotificationsMetrics
  logger: Logger
}): ChatOutbox {
  const { pool, send, metrics, logger } = options
  const stopping = new AbortController()

  async function claim(): Promise<Claimed | undefined> {
    const { rows } = await pool.query<Claimed>(
      `UPDATE chat_outbox SET due_at = now() + make_interval(secs => $1), attempts = attempts + 1
       WHERE idempotency_key = (
         SELECT idempotency_key FROM chat_outbox WHERE sent_at IS NULL AND rejected_at IS NULL AND due_at <= now()
         ORDER BY due_at LIMIT 1 FOR UPDATE SKIP LOCKED)
       RETURNING idempotency_key, message, attempts`,
      [options.claimMs / 1000],
    )
    return rows[0]
  }

  async function drain(): Promise<number> {
    if (!send) return 0
    let claimed = 0
    while (!stopping.signal.aborted) {
      const alert = await claim()
      if (!alert) break
      claimed += 1
      const key = alert.idempotency_key
      const result = await send(alert.message, key, stopping.signal)
      if (result.outcome === 'ok') {
        await pool.query('UPDATE chat_outbox SET sent_at = now(), last_error = NULL WHERE idempotency_key = $1', [key])
      } else if (result.outcome === 'retryable') {
        const delay = options.retrySchedule[Math.min(alert.attempts, options.retrySchedule.length) - 1] ?? options.intervalMs
        await pool.query('UPDATE chat_outbox SET due_at = now() + make_interval(secs => $2), last_error = $3 WHERE idempotency_key = $1', [
          key,
          delay / 1000,
          result.error,
        ])
        logger.warn({ idempotencyKey: key, attempts: alert.attempts, error: result.error, retryInMs: delay }, 'chat alert not posted yet')
      } else {
        await pool.query('UPDATE chat_outbox SET rejected_at = now(), last_error = $2 WHERE idempotency_key = $1', [key, result.error])
        logger.error({ idempotencyKey: key, error: result.error }, 'chat webhook refused an alert; it is kept in chat_outbox as rejected')
      }
    }
    return claimed
  }

  const loop = (async () => {
    while (!stopping.signal.aborted) {
      try {
        await drain()
      } catch (err) {
        logger.warn({ err }, 'could not post chat alerts; trying again')
      }
      await sleep(options.intervalMs, undefined, { signal: stopping.signal }).catch(() => undefined)
    }
  })()

  return {
    async record(tx, message, idempotencyKey) {
      if (!send) {
        metrics.chatSent.inc({ outcome: 'disabled' })
        return false
      }
      const { rowCount } = await tx.query('INSERT INTO chat_outbox (idempotency_key, message) VALUES ($1, $2) ON CONFLICT DO NOTHING', [
        idempotencyKey,
        JSON.stringify(message),
      ])
      return rowCount === 1
    },
    drain,
    async close() {
      stopping.abort()
      await loop
    },
  }
}
