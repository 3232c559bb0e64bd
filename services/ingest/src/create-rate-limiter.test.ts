import { describe, expect, it } from 'vitest'
import { createRateLimiter } from './create-rate-limiter.ts'

describe('createRateLimiter', () => {
  it('allows a burst of one second, then refills at the rate', () => {
    const limiter = createRateLimiter(5)
    const at = (ms: number): boolean => limiter.allow('acme', ms)
    expect([0, 0, 0, 0, 0].map(() => at(0))).toEqual([true, true, true, true, true])
    expect(at(0)).toBe(false)
    expect(at(199)).toBe(false)
    expect(at(200)).toBe(true)
    expect(limiter.allow('other', 200)).toBe(true)
  })

  it('is off at zero', () => {
    const limiter = createRateLimiter(0)
    expect(Array.from({ length: 1000 }, () => limiter.allow('x', 0)).every(Boolean)).toBe(true)
  })
})
