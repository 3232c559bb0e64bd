import type { SimEvent } from './build-event.ts'
import type { DeliveryRequest } from './deliver.ts'
import { gen1Headers, gen2Headers } from './sign-delivery.ts'

/** What the simulated Nudj knows about the receiver: where it is and its credentials. */
export type Receiver = {
  url: string
  /** The gen-2 HMAC secret (`whsec_...`). */
  secret: string
  /** The gen-1 static headers, e.g. `Authorization: Bearer ...`, `X-Webhook-Source: nudj-platform`. */
  gen1Headers: Record<string, string>
}

/** The request Nudj would send for this event, signed or with its static headers. */
export function buildRequest(receiver: Receiver, event: SimEvent): DeliveryRequest {
  const body = Buffer.from(JSON.stringify(event.body))
  const headers =
    event.generation === 'gen2'
      ? gen2Headers({ body, secret: receiver.secret, event: event.name, deliveryId: event.deliveryId })
      : gen1Headers(receiver.gen1Headers)
  return { url: receiver.url, method: 'POST', headers, body }
}
