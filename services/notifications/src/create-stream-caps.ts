export type StreamCapLimits = { total: number; perUser: number; perAddress: number }

export type StreamRefusal = { status: 429 | 503; code: string; message: string; retryAfterSeconds: number }

export type StreamCaps = {
  /** Takes a slot for one stream at once (before any await), or answers why not. */
  acquire: (userId: string, address: string) => { ok: true; release: () => void } | { ok: false; refusal: StreamRefusal }
  count: () => number
}

/**
 * The SSE slots of one replica: per user and per client address (429: that client should
 * close a stream, whichever replica it asks), and in total (503: this replica is full, another
 * may not be). A slot is taken synchronously, so concurrent requests cannot all pass the check
 * before any registers; `release` is idempotent.
 */
export function createStreamCaps(limits: StreamCapLimits): StreamCaps {
  const byUser = new Map<string, number>()
  const byAddress = new Map<string, number>()
  let total = 0
  const add = (map: Map<string, number>, key: string, delta: number): void => {
    const next = (map.get(key) ?? 0) + delta
    if (next === 0) map.delete(key)
    else map.set(key, next)
  }
  return {
    acquire(userId, address) {
      if ((byUser.get(userId) ?? 0) >= limits.perUser) {
        const message = `this user already has ${limits.perUser} open streams; close one`
        return { ok: false, refusal: { status: 429, code: 'TOO_MANY_STREAMS_FOR_USER', message, retryAfterSeconds: 30 } }
      }
      if ((byAddress.get(address) ?? 0) >= limits.perAddress) {
        const message = `this address already has ${limits.perAddress} open streams`
        return { ok: false, refusal: { status: 429, code: 'TOO_MANY_STREAMS_FROM_ADDRESS', message, retryAfterSeconds: 30 } }
      }
      if (total >= limits.total) {
        const message = 'this replica is full; try again (another replica may answer)'
        return { ok: false, refusal: { status: 503, code: 'TOO_MANY_STREAMS', message, retryAfterSeconds: 5 } }
      }
      add(byUser, userId, 1)
      add(byAddress, address, 1)
      total += 1
      let released = false
      return {
        ok: true,
        release() {
          if (released) return
          released = true
          add(byUser, userId, -1)
          add(byAddress, address, -1)
          total -= 1
        },
      }
    },
    count: () => total,
  }
}
