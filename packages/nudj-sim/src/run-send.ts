import { setTimeout as sleep } from 'node:timers/promises'
import type { SimEvent } from './build-event.ts'
import { buildRequest, type Receiver } from './build-request.ts'
import { corruptRequest } from './corrupt-request.ts'
import { createEventStream } from './create-event-stream.ts'
import { createWorld } from './create-world.ts'
import { deliver, type DeliveryResult } from './deliver.ts'
import { planDeliveries, type PlannedDelivery } from './plan-deliveries.ts'
import { gen1RetryPolicy, gen2RetryPolicy, type RetryPolicy } from './retry-policy.ts'
import { createSendReport, type SendReport } from './send-report.ts'

export type SendOptions = {
  receiver: Receiver
  count: number
  /** Target requests per second (all requests, retries excluded). */
  rate: number
  concurrency: number
  seed?: number
  gen1Share?: number
  duplicates?: number
  reorder?: number
  bad?: number
  /** Per-attempt timeouts: Nudj documents 10 s (gen-1) and 30 s (gen-2). */
  timeoutMs?: { gen1: number; gen2: number }
  policies?: { gen1: RetryPolicy; gen2: RetryPolicy }
  signal?: AbortSignal
  /** Called about once a second while the run goes on. */
  onProgress?: (report: SendReport) => void
  /** Called for each finished delivery (tests use it to see exactly what was sent). */
  onDelivery?: (planned: PlannedDelivery, result: DeliveryResult) => void
}

/**
 * Sends a realistic stream of Nudj webhooks the way Nudj delivers them: paced to a rate,
 * at most `concurrency` deliveries at once, each retried per its generation's policy with
 * the same delivery id, with redeliveries, reordering and bad requests mixed in.
 */
export async function runSend(options: SendOptions): Promise<SendReport> {
  const world = createWorld({ seed: options.seed ?? 1 })
  const stream = createEventStream(world, { gen1Share: options.gen1Share ?? 0.5 })
  const plan = planDeliveries(stream.next, world.random, {
    count: options.count,
    duplicates: options.duplicates ?? 0,
    reorder: options.reorder ?? 0,
    bad: options.bad ?? 0,
  })
  const timeouts = options.timeoutMs ?? { gen1: 10_000, gen2: 30_000 }
  const policies = options.policies ?? { gen1: gen1RetryPolicy, gen2: gen2RetryPolicy }
  const report = createSendReport(options.receiver.url, options.rate)
  const inFlight = new Set<Promise<void>>()
  const requestOf = (planned: PlannedDelivery) => {
    const request = buildRequest(options.receiver, planned.event)
    return planned.kind === 'bad' ? corruptRequest(request, planned.bad, options.receiver.secret, world.random) : request
  }

  const progress = setInterval(() => options.onProgress?.(report.snapshot()), 1000)
  const began = performance.now()
  let index = 0
  try {
    for (const planned of plan) {
      if (options.signal?.aborted) break
      // Pace to the target rate, and never hold more than `concurrency` deliveries open.
      const due = began + (index * 1000) / options.rate
      index += 1
      const wait = due - performance.now()
      if (wait > 1) await sleep(wait, undefined, { signal: options.signal }).catch(() => undefined)
      while (inFlight.size >= options.concurrency) await Promise.race(inFlight)
      if (options.signal?.aborted) break

      const event: SimEvent = planned.event
      const generation = event.generation
      report.started(planned)
      const delivery = deliver(requestOf(planned), {
        policy: policies[generation],
        timeoutMs: timeouts[generation],
        signal: options.signal,
      }).then((result) => {
        report.finished(planned, result)
        options.onDelivery?.(planned, result)
      })
      const tracked = delivery.finally(() => inFlight.delete(tracked))
      inFlight.add(tracked)
    }
    await Promise.all(inFlight)
  } finally {
    clearInterval(progress)
  }
  return report.snapshot()
}
