import { createHash } from 'node:crypto'
import { readHeader, type Headers } from './read-header.ts'

export type WebhookIdSource = 'delivery-header' | 'body-id' | 'body-hash'

/**
 * The webhook id rule: X-Nudj-Delivery-Id (stable across Nudj's retries), else the gen-1
 * body's `id`, else `sha256:<hex>` of the source, a newline and the raw body. `body` is the
 * parsed body when there is one (an unreadable body can only be hashed).
 */
export function deriveWebhookId(
  rawBody: Uint8Array | string,
  headers: Headers,
  source: string,
  body?: Record<string, unknown>,
): { webhookId: string; webhookIdSource: WebhookIdSource } {
  const delivery = readHeader(headers, 'x-nudj-delivery-id')
  if (delivery) return { webhookId: delivery, webhookIdSource: 'delivery-header' }
  const id = body?.id
  if (typeof id === 'string' && id !== '') return { webhookId: id, webhookIdSource: 'body-id' }
  if (typeof id === 'number' && Number.isFinite(id)) return { webhookId: String(id), webhookIdSource: 'body-id' }
  const hash = createHash('sha256').update(source).update('\n').update(rawBody).digest('hex')
  return { webhookId: `sha256:${hash}`, webhookIdSource: 'body-hash' }
}
