import { describe, expect, it } from 'vitest'
import { gen1RetryPolicy, gen2RetryPolicy, retryDelayMs } from './retry-policy.ts'
import type { RetryPolicy } from './retry-policy.ts'

function schedule(policy: RetryPolicy): (number | undefined)[] {
  return Array.from({ length: policy.maxRetries + 2 }, (_, i) => retryDelayMs(policy, i + 1))
}

describe('retryDelayMs', () => {
  it('waits the same delay before every retry of a fixed policy, then gives up', () => {
    expect(schedule({ kind: 'fixed', delayMs: 250, maxRetries: 2 })).toEqual([250, 250, undefined, undefined])
  })

  it('multiplies the delay of an exponential policy and caps it', () => {
    const policy: RetryPolicy = { kind: 'exponential', initialDelayMs: 100, factor: 3, maxDelayMs: 1000, maxRetries: 5 }
    expect(schedule(policy)).toEqual([100, 300, 900, 1000, 1000, undefined, undefined])
  })

  it('allows no retry at all when maxRetries is 0', () => {
    expect(retryDelayMs({ kind: 'fixed', delayMs: 10, maxRetries: 0 }, 1)).toBeUndefined()
  })

  it('rejects retry numbers that are not positive integers', () => {
    expect(() => retryDelayMs(gen1RetryPolicy, 0)).toThrow(RangeError)
    expect(() => retryDelayMs(gen1RetryPolicy, 1.5)).toThrow(RangeError)
  })
})

describe("Nudj's policies", () => {
  it('gen-1 retries three times, five seconds apart', () => {
    expect(schedule(gen1RetryPolicy)).toEqual([5000, 5000, 5000, undefined, undefined])
  })

  it('gen-2 backs off exponentially from one second and stops after five retries', () => {
    expect(schedule(gen2RetryPolicy)).toEqual([1000, 2000, 4000, 8000, 16_000, undefined, undefined])
  })
})
