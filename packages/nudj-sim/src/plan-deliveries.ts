import type { SimEvent } from './build-event.ts'
import type { Random } from './create-random.ts'
import type { BadRequestKind } from './corrupt-request.ts'
import { badRequestKinds } from './corrupt-request.ts'

/** One request to send: a fresh event, a duplicate of an earlier one, or a bad request. */
export type PlannedDelivery =
  | { kind: 'event'; event: SimEvent; reordered: boolean }
  | { kind: 'duplicate'; event: SimEvent }
  | { kind: 'bad'; event: SimEvent; bad: BadRequestKind }

export type PlanOptions = {
  /** How many events to send (duplicates and bad requests come on top). */
  count: number
  /** Share of events delivered a second time later, with the same delivery id and body. */
  duplicates: number
  /** Share of events sent out of their natural order (within a window of the next 20). */
  reorder: number
  /** Share of extra, deliberately bad requests. */
  bad: number
}

const reorderWindow = 20

/**
 * The order in which Nudj's at-least-once, unordered delivery would present the stream:
 * each event once, some events again a little later (a redelivery), some out of order,
 * and a share of bad requests mixed in.
 */
export function* planDeliveries(next: () => SimEvent, random: Random, options: PlanOptions): Generator<PlannedDelivery> {
  const window: SimEvent[] = []
  const redeliveries: { due: number; event: SimEvent }[] = []
  let produced = 0
  let position = 0
  while (produced < options.count || window.length > 0 || redeliveries.length > 0) {
    position += 1
    const dueIndex = redeliveries.findIndex((r) => r.due <= position)
    if (dueIndex >= 0 || (produced >= options.count && window.length === 0)) {
      const [redelivery] = redeliveries.splice(Math.max(dueIndex, 0), 1)
      if (redelivery) yield { kind: 'duplicate', event: redelivery.event }
      continue
    }
    if (random.chance(options.bad)) {
      yield { kind: 'bad', event: next(), bad: random.pick(badRequestKinds) }
      continue
    }
    while (window.length < reorderWindow && produced < options.count) {
      window.push(next())
      produced += 1
    }
    const reordered = window.length > 1 && random.chance(options.reorder)
    const [event] = window.splice(reordered ? random.int(1, window.length - 1) : 0, 1) as [SimEvent]
    if (random.chance(options.duplicates)) redeliveries.push({ due: position + random.int(1, 50), event })
    yield { kind: 'event', event, reordered }
  }
}
