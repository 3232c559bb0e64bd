import { readFileSync } from 'node:fs'

/** One verified delivery as ingest writes it (schemas/webhook-received.v1.avsc). */
export type WebhookReceived = {
  webhookId: string
  source: string
  event: string
  canonicalEvent: string
  category: string
  generation: string
  /** Milliseconds since the epoch. */
  receivedAt: number
  authScheme: string
  headers: Record<string, string>
  body: Buffer
}

export const webhookReceivedSchemaFile = new URL('../../../schemas/webhook-received.v1.avsc', import.meta.url)

/** The schema's JSON text, as registered. */
export const webhookReceivedSchema: string = readFileSync(webhookReceivedSchemaFile, 'utf8')
