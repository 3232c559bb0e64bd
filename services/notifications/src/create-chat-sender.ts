import { FatalError, RetryableError } from '@nudj-webhooks/kafka'
import type { Queryable } from './create-inbox.ts'
import type { NotificationsMetrics } from './create-notifications-metrics.ts'

/** Slack-compatible incoming-webhook body. */
export type ChatMessage = { text: string; blocks?: unknown[] }

/** `client`: where `chat_alerts` records what was sent (the consumer's transaction). */
export type SendChat = (client: Queryable, message: ChatMessage, idempotencyKey: string, signal: AbortSignal) => Promise<void>

/**
 * Posts each operator alert once per idempotency key: a key recorded in `chat_alerts` is not
 * sent again (a retry of the message after a later step failed). Only a crash between the
 * post and the record repeats a post, with the same `Idempotency-Key` for the receiver to drop.
 *
 * Posts operator alerts to the chat webhook with an `Idempotency-Key`. Unreachable, too slow,
 * 429 or 5xx: RetryableError (the runtime retries through its retry topics); another 4xx:
 * FatalError (the DLQ: the same request would be refused again). No URL: alerts are counted
 * as `disabled` and dropped.
 */
export function createChatSender(options: { url?: string; timeoutMs: number; metrics: NotificationsMetrics }): SendChat {
  const { url, metrics } = options
  return async (client, message, idempotencyKey, signal) => {
    if (!url) {
      metrics.chatSent.inc({ outcome: 'disabled' })
      return
    }
    const sent = await client.query('SELECT 1 FROM chat_alerts WHERE idempotency_key = $1', [idempotencyKey])
    if (sent.rowCount === 1) return
    await post(url, message, idempotencyKey, signal)
    await client.query('INSERT INTO chat_alerts (idempotency_key) VALUES ($1) ON CONFLICT DO NOTHING', [idempotencyKey])
  }

  async function post(url: string, message: ChatMessage, idempotencyKey: string, signal: AbortSignal): Promise<void> {
    let response: Response
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': idempotencyKey },
        body: JSON.stringify(message),
        signal: AbortSignal.any([signal, AbortSignal.timeout(options.timeoutMs)]),
      })
      await response.arrayBuffer()
    } catch (err) {
      // fetch reports a refused connection as a TypeError, which the runtime would take for a bug.
      metrics.chatSent.inc({ outcome: 'retryable' })
      const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name
      throw new RetryableError('CHAT_UNREACHABLE', `chat webhook unreachable: ${cause}`, { cause: err })
    }
    if (response.ok) {
      metrics.chatSent.inc({ outcome: 'ok' })
      metrics.delivered.inc({ channel: 'chat' })
      return
    }
    if (response.status === 429 || response.status >= 500) {
      metrics.chatSent.inc({ outcome: 'retryable' })
      throw new RetryableError('CHAT_UNAVAILABLE', `chat webhook answered ${response.status}`)
    }
    metrics.chatSent.inc({ outcome: 'rejected' })
    throw new FatalError('CHAT_REJECTED', `chat webhook refused the alert with ${response.status}`)
  }
}
