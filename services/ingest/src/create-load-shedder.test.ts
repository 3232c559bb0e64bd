import { setTimeout as sleep } from 'node:timers/promises'
import { waitFor } from '@nudj-webhooks/testing'
import { describe, expect, it } from 'vitest'
import { createLoadShedder } from './create-load-shedder.ts'

describe('createLoadShedder', () => {
  it('sheds on a producer backlog, and on event-loop delay after the loop was held', async () => {
    let pending = 0
    const shedder = createLoadShedder({ maxEventLoopDelayMs: 100, maxPending: 10, pending: () => pending })
    try {
      expect(shedder.reason()).toBeUndefined()
      pending = 10
      expect(shedder.reason()).toBe('producer-backlog')
      pending = 0
      // The delay monitor measures between its own ticks: let it tick once first.
      await sleep(100)
      // Hold the loop for 300 ms, as a saturated process would.
      const until = performance.now() + 300
      while (performance.now() < until) {
        // busy on purpose
      }
      await waitFor(() => shedder.reason() === 'event-loop-delay', { timeoutMs: 2_000, intervalMs: 20 })
      // A free loop clears it again within a sampling period or two.
      await waitFor(() => shedder.reason() === undefined, { timeoutMs: 3_000, intervalMs: 20 })
    } finally {
      shedder.close()
    }
  })
})
