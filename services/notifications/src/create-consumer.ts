import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry'
import { createNudjDecoder, nudjEventProblems, type NudjEvent } from '@nudj-webhooks/contracts'
import type { ConsumerDefinition, ConsumerOptions } from '@nudj-webhooks/kafka'
import { createHandleNotification, type HandleNotificationDeps } from './handle-notification.ts'

/**
 * The notifications consumer: decodes the envelope and normalises the body, takes the events
 * a rule (or the burst alert) is about, sends invalid ones to the DLQ with every problem, and
 * applies the rules. The inbox rows, burst windows and chat outbox rows commit with the ledger
 * row: exactly once. Chat alerts are posted after the commit (create-chat-outbox.ts).
 */
export function createConsumer(
  deps: HandleNotificationDeps & { schemaRegistry: SchemaRegistry },
  options: ConsumerOptions,
): ConsumerDefinition<NudjEvent, 'postgres'> {
  const decodeNudj = createNudjDecoder(deps.schemaRegistry)
  return {
    ...options,
    decode: async (message) => (await decodeNudj(message.value)).event,
    handles: (event) => deps.rulesFor(event.canonical).length > 0 || event.canonical === 'reward.delivery_failed',
    validate: nudjEventProblems,
    ...createHandleNotification(deps),
    effect: 'postgres',
  }
}
