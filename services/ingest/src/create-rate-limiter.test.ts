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

  it('says whether a key has a token without taking it', () => {
    const limiter = createRateLimiter(1)
    expect(limiter.has('a', 0)).toBe(true)
    expect(limiter.allow('a', 0)).toBe(true)
    expect([limiter.has('a', 0), limiter.has('a', 999), limiter.has('a', 1000)]).toEqual([false, false, true])
    expect(limiter.allow('a', 1000)).toBe(true)
  })

  it('holds at most maxKeys buckets under a flood of new keys, forgetting the least recently used', () => {
    const limiter = createRateLimiter(1, 3)
    for (const key of ['a', 'b', 'c']) expect(limiter.allow(key, 0)).toBe(true)
    // `a` is used again (and refused): it is now the most recent, `b` the least.
    expect(limiter.allow('a', 10)).toBe(false)
    for (let i = 0; i < 10_000; i++) limiter.allow(`flood-${i}`, 20)
    expect(limiter.size()).toBe(3)
    const limited = createRateLimiter(1, 3)
    for (const key of ['a', 'b', 'c']) limited.allow(key, 0)
    limited.allow('a', 10)
    limited.allow('d', 20)
    // `b` was forgotten (a fresh burst); `a`, used more recently, is still limited.
    expect([limited.has('b', 20), limited.has('a', 20), limited.has('c', 20)]).toEqual([true, false, false])
  })

  it('drops buckets that have refilled, so idle keys cost nothing', () => {
    const limiter = createRateLimiter(10, 1000)
    for (let i = 0; i < 500; i++) limiter.allow(`address-${i}`, 0)
    expect(limiter.size()).toBe(500)
    // A second later every bucket is full again: the next use drops them all.
    expect(limiter.allow('late', 1000)).toBe(true)
    expect(limiter.size()).toBe(1)
  })
})
