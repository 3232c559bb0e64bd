import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry'
import { createEnvelopeCodec } from './create-envelope-codec.ts'
import { normalizeNudjWebhook, type NudjEvent } from './normalize-nudj-webhook.ts'
import { validateNudjEvent } from './validate-nudj-event.ts'
import type { WebhookReceived } from './webhook-received.ts'

export type DecodedWebhook = { event: NudjEvent; envelope: WebhookReceived }

/**
 * What every consumer does with a category topic's record: decode the Avro envelope through
 * the registry and normalise the body it carries (both generations). A body that is not a
 * JSON object throws a ContractError: the runtime sends it to the DLQ as DECODE_FAILED.
 */
export function createNudjDecoder(registry: SchemaRegistry): (value: Buffer) => Promise<DecodedWebhook> {
  const envelopes = createEnvelopeCodec(registry)
  return async (value) => {
    const envelope = await envelopes.decode(value)
    return { event: normalizeNudjWebhook(envelope.body, envelope.headers, { source: envelope.source }), envelope }
  }
}

/** A normalised event's problems, one line each (`path message`): the DLQ's VALIDATION_FAILED. */
export function nudjEventProblems(event: NudjEvent): string[] {
  return validateNudjEvent(event).map((p) => `${p.path} ${p.message}`)
}
