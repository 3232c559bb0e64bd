import { createHmac } from 'node:crypto'

/**
 * Gen-2 `X-Nudj-Signature` (NUDJ-WEBHOOKS.md §1.1): HMAC-SHA256 of the raw body bytes keyed
 * with the whole configured secret string. The docs do not say whether a `whsec_` prefix is
 * part of the key; this follows the safest reading (it is).
 */
export function signGen2(body: Buffer, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`
}

export type Gen2HeadersInput = {
  body: Buffer
  secret: string
  event: string
  /** One id per logical delivery, repeated on every retry. */
  deliveryId: string
}

/** The headers of a gen-2 delivery (NUDJ-WEBHOOKS.md §1.1). */
export function gen2Headers({ body, secret, event, deliveryId }: Gen2HeadersInput): Record<string, string> {
  return {
    'content-type': 'application/json',
    'x-nudj-signature': signGen2(body, secret),
    'x-nudj-event': event,
    'x-nudj-delivery-id': deliveryId,
  }
}

/**
 * The headers of a gen-1 delivery (NUDJ-WEBHOOKS.md §1.2): the config's static headers sent
 * verbatim. A configured content type wins over the default one, so the request never carries two.
 */
export function gen1Headers(configured: Record<string, string>): Record<string, string> {
  const hasContentType = Object.keys(configured).some((name) => name.toLowerCase() === 'content-type')
  return hasContentType ? { ...configured } : { 'content-type': 'application/json', ...configured }
}

export type StandardWebhooksHeadersInput = {
  body: Buffer
  /** `whsec_` followed by the base64 key, or the bare base64 key. */
  secret: string
  id: string
  timestampSeconds: number
}

/**
 * Standard Webhooks headers (https://www.standardwebhooks.com). Nudj does not document this
 * scheme; it is here so receivers can be tested against the common alternative as well.
 */
export function standardWebhooksHeaders({ body, secret, id, timestampSeconds }: StandardWebhooksHeadersInput): Record<string, string> {
  const key = Buffer.from(secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret, 'base64')
  const timestamp = String(Math.floor(timestampSeconds))
  const signature = createHmac('sha256', key)
    .update(Buffer.concat([Buffer.from(`${id}.${timestamp}.`), body]))
    .digest('base64')
  return {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': timestamp,
    'webhook-signature': `v1,${signature}`,
  }
}
