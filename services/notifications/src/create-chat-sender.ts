import type { NotificationsMetrics } from './create-notifications-metrics.ts'

/** Slack-compatible incoming-webhook body. */
export type ChatMessage = { text: string; blocks?: unknown[] }

/** `retryable`: unreachable, too slow, 429 or 5xx; `rejected`: another 4xx (the same request would be refused again). */
export type ChatOutcome = { outcome: 'ok' } | { outcome: 'retryable' | 'rejected'; error: string }

export type SendChat = (message: ChatMessage, idempotencyKey: string, signal: AbortSignal) => Promise<ChatOutcome>

/**
 * Posts one operator alert to the chat webhook with an `Idempotency-Key` (a receiver drops a
 * repeat: a post whose outcome was lost is posted again with the same key). Never throws:
 * the outbox (create-chat-outbox.ts) decides what an outcome means.
 */
export function createChatSender(options: { url: string; timeoutMs: number; metrics: NotificationsMetrics }): SendChat {
  const { url, metrics } = options
  return async (message, idempotencyKey, signal) => {
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
      metrics.chatSent.inc({ outcome: 'retryable' })
      const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name
      return { outcome: 'retryable', error: `CHAT_UNREACHABLE: ${cause}` }
    }
    if (response.ok) {
      metrics.chatSent.inc({ outcome: 'ok' })
      metrics.delivered.inc({ channel: 'chat' })
      return { outcome: 'ok' }
    }
    if (response.status === 429 || response.status >= 500) {
      metrics.chatSent.inc({ outcome: 'retryable' })
      return { outcome: 'retryable', error: `CHAT_UNAVAILABLE: answered ${response.status}` }
    }
    metrics.chatSent.inc({ outcome: 'rejected' })
    return { outcome: 'rejected', error: `CHAT_REJECTED: answered ${response.status}` }
  }
}
