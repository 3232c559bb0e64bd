import { describe, expect, it } from 'vitest'
import { createEventStream } from './create-event-stream.ts'
import { createRandom } from './create-random.ts'
import { createWorld } from './create-world.ts'
import { planDeliveries, type PlannedDelivery } from './plan-deliveries.ts'

function plan(count: number, options: { duplicates?: number; reorder?: number; bad?: number }): PlannedDelivery[] {
  const stream = createEventStream(createWorld({ seed: 5 }))
  return [...planDeliveries(stream.next, createRandom(9), { count, duplicates: 0, reorder: 0, bad: 0, ...options })]
}

describe('planDeliveries', () => {
  it('sends every event exactly once, in order, when nothing is injected', () => {
    const planned = plan(500, {})
    expect(planned).toHaveLength(500)
    expect(planned.every((p) => p.kind === 'event' && !p.reordered)).toBe(true)
  })

  it('redelivers a share of events later with the same delivery id, reorders some, and mixes in bad requests', () => {
    const planned = plan(5000, { duplicates: 0.05, reorder: 0.1, bad: 0.02 })
    const events = planned.filter((p) => p.kind === 'event')
    const duplicates = planned.filter((p) => p.kind === 'duplicate')
    const bad = planned.filter((p) => p.kind === 'bad')
    expect(events).toHaveLength(5000)
    expect(new Set(events.map((p) => p.event.deliveryId)).size).toBe(5000)
    expect(duplicates.length).toBeGreaterThan(150)
    expect(duplicates.length).toBeLessThan(350)
    // A duplicate always follows the original it repeats.
    for (const dup of duplicates) {
      const original = planned.findIndex((p) => p.kind === 'event' && p.event.deliveryId === dup.event.deliveryId)
      expect(original).toBeGreaterThanOrEqual(0)
      expect(planned.indexOf(dup)).toBeGreaterThan(original)
    }
    expect(events.filter((p) => p.kind === 'event' && p.reordered).length).toBeGreaterThan(300)
    expect(bad.length).toBeGreaterThan(50)
    expect(new Set(bad.map((p) => (p.kind === 'bad' ? p.bad : ''))).size).toBe(6)
  })
})
