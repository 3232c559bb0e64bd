import type { SimEvent } from './build-event.ts'
import type { DeliveryRequest } from './deliver.ts'
import { gen1Headers, gen2Headers, standardWebhooksHeaders } from './sign-delivery.ts'

/** What the simulated Nudj knows about the receiver: where it is and its credentials. */
export type Receiver = {
  url: string
  /** The gen-2 secret (`whsec_...`): the HMAC key, or a base64 key for Standard Webhooks. */
  secret: string
  /** How gen-2 traffic is signed: Nudj's X-Nudj-Signature (default) or Standard Webhooks. */
  gen2Scheme?: 'gen2-hmac' | 'standard-webhooks'
  /** The gen-1 static headers, e.g. `Authorization: Bearer ...`, `X-Webhook-Source: nudj-platform`. */
  gen1Headers: Record<string, string>
}

/** The request Nudj would send for this event, signed or with its static headers. */
export function buildRequest(receiver: Receiver, event: SimEvent): DeliveryRequest {
  const body = Buffer.from(JSON.stringify(event.body))
  let headers: Record<string, string>
  if (event.generation === 'gen1') headers = gen1Headers(receiver.gen1Headers)
  else if (receiver.gen2Scheme === 'standard-webhooks') {
    const signed = standardWebhooksHeaders({ body, secret: receiver.secret, id: event.deliveryId, timestampSeconds: Date.now() / 1000 })
    // The delivery id travels too, as Nudj's own header, so the receiver keeps one webhook id.
    headers = { ...signed, 'x-nudj-event': event.name, 'x-nudj-delivery-id': event.deliveryId }
  } else headers = gen2Headers({ body, secret: receiver.secret, event: event.name, deliveryId: event.deliveryId })
  return { url: receiver.url, method: 'POST', headers, body }
}
