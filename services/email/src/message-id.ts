import { createHash } from 'node:crypto'

/**
 * The Message-ID of a webhook's email, derived from its id alone: a resend after a crash
 * carries the same one, so the receiving side (and anyone reading headers) can drop the
 * repeat. The webhook id itself is never shown (it is hashed).
 */
export function messageIdFor(webhookId: string, domain: string): string {
  return `<${createHash('sha256').update(webhookId).digest('hex')}@${domain}>`
}
