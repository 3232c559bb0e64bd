import { describe, expect, it } from 'vitest'
import { createRateLimiter } from './create-rate-limiter.ts'

const settled = async (promise: Promise<void>): Promise<boolean> => {
  let done = false
  void promise.then(
    () => (done = true),
    () => (done = true),
  )
  await new Promise((resolve) => setImmediate(resolve))
  return done
}

describe('createRateLimiter', () => {
  it('lets the first send through at once and holds the next one until its slot', async () => {
    let clock = 0
    const limiter = createRateLimiter(0.001, () => clock) // one send per 1000 s
    expect(await settled(limiter.acquire())).toBe(true)
    const controller = new AbortController()
    const second = limiter.acquire(controller.signal)
    expect(await settled(second)).toBe(false)
    controller.abort(new Error('shutting down'))
    await expect(second).rejects.toThrow('shutting down')
    clock = 3_000_000 // long after every slot handed out so far: no wait owed, no burst either
    expect(await settled(limiter.acquire())).toBe(true)
    expect(await settled(limiter.acquire())).toBe(false)
  })

  it('never waits when the rate is 0 (no limit)', async () => {
    const limiter = createRateLimiter(0)
    const all = Promise.all(Array.from({ length: 100 }, async () => await limiter.acquire())).then(() => undefined)
    expect(await settled(all)).toBe(true)
  })
})
