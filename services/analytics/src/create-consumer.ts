import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry'
import { createNudjDecoder, nudjEventProblems } from '@nudj-webhooks/contracts'
import type { ConsumerDefinition, ConsumerOptions } from '@nudj-webhooks/kafka'
import type { AnalyticsMetrics } from './create-analytics-metrics.ts'
import { createHandleProjection } from './handle-projection.ts'
import type { AnalyticsEvent } from './project-event.ts'

/**
 * The analytics consumer: decodes the envelope, normalises the body (both generations to
 * canonical names), sends invalid events to the DLQ with every problem, and projects the
 * rest, unknown ones included (counted, never dead-lettered), in the transaction of their
 * ledger rows.
 */
export function createConsumer(
  deps: { schemaRegistry: SchemaRegistry; metrics: AnalyticsMetrics },
  options: ConsumerOptions,
): ConsumerDefinition<AnalyticsEvent, 'postgres'> {
  const decodeNudj = createNudjDecoder(deps.schemaRegistry)
  return {
    ...options,
    decode: async (message) => {
      const { event, envelope } = await decodeNudj(message.value)
      return { event, receivedAt: Number(envelope.receivedAt) }
    },
    // Unknown events are handled too: counted once per webhook id, then acknowledged.
    handles: () => true,
    validate: ({ event }) => nudjEventProblems(event),
    ...createHandleProjection(deps.metrics),
    effect: 'postgres',
  }
}
