import { monitorEventLoopDelay } from 'node:perf_hooks'

export type LoadShedderOptions = { maxEventLoopDelayMs: number; maxPending: number; pending: () => number }

/**
 * Says when to answer 503 before reading a body: when the event loop lags (the process
 * is saturated) or too many records are waiting for Kafka (the broker is slow or down).
 */
export function createLoadShedder(options: LoadShedderOptions) {
  const histogram = monitorEventLoopDelay({ resolution: 10 })
  histogram.enable()
  let delayMs = 0
  // A rolling view: the worst delay of the last half second.
  const sampler = setInterval(() => {
    delayMs = histogram.max / 1e6
    histogram.reset()
  }, 500)
  sampler.unref()
  return {
    reason(): 'event-loop-delay' | 'producer-backlog' | undefined {
      if (delayMs > options.maxEventLoopDelayMs) return 'event-loop-delay'
      if (options.pending() >= options.maxPending) return 'producer-backlog'
      return undefined
    },
    close(): void {
      clearInterval(sampler)
      histogram.disable()
    },
  }
}
