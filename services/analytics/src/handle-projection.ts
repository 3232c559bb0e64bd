import type { BatchHandler, Handler } from '@nudj-webhooks/kafka'
import type pg from 'pg'
import { addFacts, emptyDeltas } from './aggregate-facts.ts'
import type { AnalyticsMetrics } from './create-analytics-metrics.ts'
import { projectEvent, type AnalyticsEvent } from './project-event.ts'
import { writeDeltas } from './write-deltas.ts'

/**
 * Projects events inside the consumer's transaction (the ledger rows commit with it): a
 * fetched batch is summed in memory and written with one upsert per table; a single message
 * (a retry, or a batch gone message by message) is a batch of one.
 */
export function createHandleProjection(metrics: AnalyticsMetrics): {
  handler: Handler<AnalyticsEvent, 'postgres'>
  batchHandler: BatchHandler<AnalyticsEvent>
} {
  async function project(events: AnalyticsEvent[], tx: pg.PoolClient): Promise<void> {
    const deltas = emptyDeltas()
    const all = events.map((event) => ({ facts: projectEvent(event), category: event.event.category }))
    for (const { facts } of all) addFacts(deltas, facts)
    await writeDeltas(tx, deltas)
    for (const { facts, category } of all) metrics.count(facts, category)
  }
  return {
    handler: async (event, ctx) => await project([event], ctx.tx),
    batchHandler: async (items, ctx) =>
      await project(
        items.map((item) => item.event),
        ctx.tx,
      ),
  }
}
