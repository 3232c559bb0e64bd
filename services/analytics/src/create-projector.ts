import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry'
import { createNudjDecoder, nudjEventProblems } from '@nudj-webhooks/contracts'
import type { ConsumerDefinition } from '@nudj-webhooks/kafka'
import { addFacts, emptyDeltas } from './aggregate-facts.ts'
import type { AnalyticsMetrics } from './create-analytics-metrics.ts'
import { projectEvent, type AnalyticsEvent } from './project-event.ts'
import { writeDeltas } from './write-deltas.ts'

export type ProjectorOptions = {
  group: string
  topics: string[]
  retrySchedule: number[]
  handlerTimeoutMs: number
  partitionsConsumedConcurrently: number
}

/**
 * The analytics consumer: decodes the envelope, normalises the body (both generations to
 * canonical names), sends invalid events to the DLQ with every problem, and projects the
 * rest, unknown ones included (counted, never dead-lettered). A fetched batch is summed in
 * memory and written with one upsert per table, in the transaction of its ledger rows.
 */
export function createProjector(
  deps: { schemaRegistry: SchemaRegistry; metrics: AnalyticsMetrics },
  options: ProjectorOptions,
): ConsumerDefinition<AnalyticsEvent> {
  const decodeNudj = createNudjDecoder(deps.schemaRegistry)
  return {
    group: options.group,
    topics: options.topics,
    decode: async (message) => {
      const { event, envelope } = await decodeNudj(message.value)
      return { event, receivedAt: Number(envelope.receivedAt) }
    },
    validate: ({ event }) => nudjEventProblems(event),
    // Unknown events are handled too: counted once per webhook id, then acknowledged.
    handles: () => true,
    handler: async (item, ctx) => {
      const deltas = emptyDeltas()
      const facts = projectEvent(item)
      addFacts(deltas, facts)
      await writeDeltas(ctx.tx!, deltas)
      deps.metrics.count(facts, item.event.category)
    },
    batchHandler: async (items, ctx) => {
      const deltas = emptyDeltas()
      const all = items.map(({ event }) => ({ facts: projectEvent(event), category: event.event.category }))
      for (const { facts } of all) addFacts(deltas, facts)
      await writeDeltas(ctx.tx, deltas)
      for (const { facts, category } of all) deps.metrics.count(facts, category)
    },
    effect: 'postgres',
    retrySchedule: options.retrySchedule,
    handlerTimeoutMs: options.handlerTimeoutMs,
    partitionsConsumedConcurrently: options.partitionsConsumedConcurrently,
  }
}
