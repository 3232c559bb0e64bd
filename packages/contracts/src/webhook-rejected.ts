import { readFileSync } from 'node:fs'

/** A request ingest refused, as recorded for audit (schemas/webhook-rejected.v1.avsc). */
export type WebhookRejected = {
  source: string
  /** The stable error code the caller was answered with, e.g. BAD_SIGNATURE. */
  reason: string
  status: number
  /** Milliseconds since the epoch. */
  receivedAt: number
  method: string
  path: string
  remoteAddress: string
  headers: Record<string, string>
  bodySha256: string
  bodyBytes: number
}

export const webhookRejectedSchema: string = readFileSync(new URL('../../../schemas/webhook-rejected.v1.avsc', import.meta.url), 'utf8')
