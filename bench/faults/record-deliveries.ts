import { normalizeNudjWebhook, validateNudjEvent, type NudjEvent } from '@nudj-webhooks/contracts'
import { buildRequest, type PlannedDelivery, type Receiver } from '@nudj-webhooks/nudj-sim'
import type { DeliveryResult } from '@nudj-webhooks/nudj-sim'

/** One webhook id the simulator sent, normalised as every consumer sees it. */
export type SentWebhook = {
  event: NudjEvent
  /** validateNudjEvent's problems (a consumer sends such a webhook to its DLQ). */
  problems: number
  acked: boolean
}

/**
 * Records every finished delivery: which webhook ids were acknowledged (2xx), each one's
 * normalised event (from the very bytes and headers sent), the id ingest answered, and every
 * signature sent (for the log scan).
 */
export function createDeliveryRecorder(receiver: Receiver) {
  const webhooks = new Map<string, SentWebhook>()
  const signatures: string[] = []
  const outcomes: Record<string, number> = {}
  let idMismatches = 0
  let deliveries = 0
  return {
    webhooks,
    signatures,
    outcomes,
    idMismatches: () => idMismatches,
    deliveries: () => deliveries,
    onDelivery: (planned: PlannedDelivery, result: DeliveryResult): void => {
      deliveries += 1
      outcomes[result.outcome] = (outcomes[result.outcome] ?? 0) + 1
      const request = buildRequest(receiver, planned.event)
      const signature = request.headers['x-nudj-signature']
      if (signature) signatures.push(signature.replace(/^sha256=/, ''))
      if (planned.kind === 'bad') return
      const event = normalizeNudjWebhook(request.body, request.headers, { source: 'dev' })
      const acked = result.outcome === 'acknowledged'
      if (acked) {
        const answered = answeredId(result.attempts.at(-1)?.responseBody)
        if (answered !== undefined && answered !== event.webhookId) idMismatches += 1
      }
      const known = webhooks.get(event.webhookId)
      if (known) known.acked ||= acked
      else webhooks.set(event.webhookId, { event, problems: validateNudjEvent(event).length, acked })
    },
  }
}

function answeredId(body: string | undefined): string | undefined {
  try {
    return (JSON.parse(body ?? '{}') as { webhookId?: string }).webhookId
  } catch {
    return undefined
  }
}
