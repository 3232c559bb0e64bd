import { setTimeout as sleep } from 'node:timers/promises'
import type { AdminStandIn } from './admin-stand-in.ts'
import { createEventStream } from './create-event-stream.ts'
import { createWorld } from './create-world.ts'

export type EmitOptions = { rate: number; seed?: number; signal: AbortSignal; onEmitted?: (count: number) => void }

/**
 * Plays the platform's side of the stand-in: a realistic stream of events of both
 * generations at `rate` per second, each delivered by the stand-in to every config
 * subscribed to its name (the way Nudj does), until `signal` aborts.
 */
export async function emitSimulatedEvents(standIn: AdminStandIn, options: EmitOptions): Promise<number> {
  const stream = createEventStream(createWorld({ seed: options.seed ?? 1 }))
  const deliveries = new Set<Promise<void>>()
  const began = performance.now()
  let emitted = 0
  while (!options.signal.aborted) {
    const wait = began + (emitted * 1000) / options.rate - performance.now()
    if (wait > 1) await sleep(wait, undefined, { signal: options.signal }).catch(() => undefined)
    if (options.signal.aborted) break
    const event = stream.next()
    const delivery = standIn.emit({ name: event.name, body: Buffer.from(JSON.stringify(event.body)), deliveryId: event.deliveryId })
    const tracked = delivery.finally(() => deliveries.delete(tracked))
    deliveries.add(tracked)
    emitted += 1
    options.onEmitted?.(emitted)
  }
  await Promise.allSettled(deliveries)
  return emitted
}
