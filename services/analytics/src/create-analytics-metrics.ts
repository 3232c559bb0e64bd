import { catalog, type Category } from '@nudj-webhooks/contracts'
import { Counter, type Registry } from 'prom-client'
import type { Facts } from './project-event.ts'

export type AnalyticsMetrics = { count: (facts: Facts, category: Category) => void }

// Labels come from the catalog; Shopify topics (open-ended) share one label, anything else is `unknown`.
const eventTypes = new Set(catalog.map((entry) => entry.canonical))
const labelOf = (eventType: string): string =>
  eventTypes.has(eventType) ? eventType : eventType.startsWith('shopify.') ? 'shopify' : 'unknown'

/**
 * The business metrics. They count events as the projector handles them; a batch whose
 * transaction fails is handled again message by message, so they may over-count then
 * (the projections never do).
 */
export function createAnalyticsMetrics(registry: Registry): AnalyticsMetrics {
  const events = new Counter({
    name: 'webhooks_analytics_events_total',
    help: 'Events projected, by canonical event type (unknown for events the catalog does not know)',
    labelNames: ['event_type'],
    registers: [registry],
  })
  const unknown = new Counter({
    name: 'webhooks_analytics_unknown_events_total',
    help: 'Unknown events counted and acknowledged, by the category topic they came from',
    labelNames: ['category'],
    registers: [registry],
  })
  const points = new Counter({
    name: 'webhooks_analytics_points_total',
    help: 'Points moved, by direction (credit: awarded or earned; debit: spent or deducted)',
    labelNames: ['direction'],
    registers: [registry],
  })
  const rewards = new Counter({
    name: 'webhooks_analytics_reward_deliveries_total',
    help: 'Reward deliveries, by outcome (delivered, failed)',
    labelNames: ['outcome'],
    registers: [registry],
  })
  return {
    count(facts, category) {
      events.inc({ event_type: labelOf(facts.eventType) })
      if (facts.unknown) unknown.inc({ category })
      if (facts.points !== undefined) points.inc({ direction: facts.points < 0 ? 'debit' : 'credit' }, Math.abs(facts.points))
      if (facts.reward?.delivered) rewards.inc({ outcome: 'delivered' })
      if (facts.reward?.deliveryFailed) rewards.inc({ outcome: 'failed' })
    },
  }
}
