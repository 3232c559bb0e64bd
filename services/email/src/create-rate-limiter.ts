export type RateLimiter = {
  /** Resolves when one more send fits under the rate; rejects if `signal` aborts first. */
  acquire: (signal?: AbortSignal) => Promise<void>
}

/**
 * At most `perSecond` sends per second from this process, spaced evenly (a slot every
 * 1000/perSecond ms, never a burst). 0: no limit.
 */
export function createRateLimiter(perSecond: number, now: () => number = () => performance.now()): RateLimiter {
  if (perSecond <= 0) return { acquire: async () => undefined }
  const interval = 1000 / perSecond
  let next = now()
  return {
    async acquire(signal) {
      signal?.throwIfAborted()
      const t = now()
      // Idle time earns no burst: sends stay evenly spaced.
      next = Math.max(next, t)
      const slot = next
      next += interval
      const wait = slot - t
      if (wait <= 0) return
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          signal?.removeEventListener('abort', onAbort)
          resolve()
        }, wait)
        const onAbort = (): void => {
          clearTimeout(timer)
          reject(signal?.reason as Error)
        }
        signal?.addEventListener('abort', onAbort, { once: true })
      })
    },
  }
}
