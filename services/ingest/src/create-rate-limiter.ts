/**
 * Token buckets per key (a source or a client address). Over the limit, ingest answers
 * 503 with Retry-After rather than 429: Nudj retries a 5xx but drops a 4xx for good.
 *
 * Memory is bounded: at most `maxKeys` buckets. A bucket that has refilled is the same as no
 * bucket, so idle ones are dropped as they are met (oldest use first); when every bucket is
 * in use, the least recently used one is forgotten (its key starts again with a full burst).
 */
export function createRateLimiter(perSecond: number, maxKeys = 10_000) {
  const burst = Math.max(1, perSecond)
  // Map order is the order of last use: each use moves its key to the end.
  const buckets = new Map<string, { tokens: number; at: number }>()
  const refilled = (bucket: { tokens: number; at: number }, now: number): number =>
    Math.min(burst, bucket.tokens + ((now - bucket.at) / 1000) * perSecond)
  const dropIdle = (now: number): void => {
    for (const [key, bucket] of buckets) {
      if (refilled(bucket, now) < burst) return
      buckets.delete(key)
    }
  }
  const touch = (key: string, now: number): { tokens: number; at: number } => {
    dropIdle(now)
    const existing = buckets.get(key)
    const bucket = existing ? { tokens: refilled(existing, now), at: now } : { tokens: burst, at: now }
    buckets.delete(key)
    if (buckets.size >= maxKeys) buckets.delete(buckets.keys().next().value as string)
    buckets.set(key, bucket)
    return bucket
  }
  return {
    /** Takes one token for `key`; answers false when there is none. */
    allow(key: string, now = performance.now()): boolean {
      if (perSecond <= 0) return true
      const bucket = touch(key, now)
      if (bucket.tokens < 1) return false
      bucket.tokens -= 1
      return true
    },
    /** Whether `key` has a token left, without taking it. */
    has(key: string, now = performance.now()): boolean {
      if (perSecond <= 0) return true
      const bucket = buckets.get(key)
      return bucket === undefined || refilled(bucket, now) >= 1
    },
    /** Buckets held now (idle ones included until they are met). */
    size: (): number => buckets.size,
  }
}
