import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry'
import { createNudjDecoder, nudjEventProblems, type NudjEvent } from '@nudj-webhooks/contracts'
import type { ConsumerDefinition, ConsumerOptions } from '@nudj-webhooks/kafka'
import { createHandleEmail, type HandleEmailDeps } from './handle-email.ts'

/**
 * The email consumer: decodes the envelope and normalises the body, takes user events (the
 * contact table) and routed events, sends invalid ones to the DLQ with every problem, and
 * hands the rest to the handler. SMTP is outside the ledger's database (effect 'external'):
 * the runtime claims each id before the handler and completes it after.
 */
export function createConsumer(
  deps: HandleEmailDeps & { schemaRegistry: SchemaRegistry; probe: () => Promise<boolean> },
  options: ConsumerOptions,
): ConsumerDefinition<NudjEvent, 'external'> {
  const decodeNudj = createNudjDecoder(deps.schemaRegistry)
  const routed = new Set([...deps.routes.values()].filter((r) => r.enabled).map((r) => r.event))
  return {
    ...options,
    decode: async (message) => (await decodeNudj(message.value)).event,
    idOf: (event, message) => message.key || event.webhookId,
    handles: (event) => event.category === 'user' || routed.has(event.canonical),
    validate: nudjEventProblems,
    handler: createHandleEmail(deps),
    effect: 'external',
    // Paused for an outage (SMTP or Postgres): resume once both answer.
    probe: deps.probe,
  }
}
