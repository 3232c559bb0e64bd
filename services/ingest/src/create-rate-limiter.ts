/**
 * Token buckets per key (a source or a client address). Over the limit, ingest answers
 * 503 with Retry-After rather than 429: Nudj retries a 5xx but drops a 4xx for good.
 */
export function createRateLimiter(perSecond: number, maxKeys = 10_000) {
  const burst = Math.max(1, perSecond)
  const buckets = new Map<string, { tokens: number; at: number }>()
  return {
    /** Takes one token for `key`; answers false when there is none. */
    allow(key: string, now = performance.now()): boolean {
      if (perSecond <= 0) return true
      const bucket = buckets.get(key) ?? { tokens: burst, at: now }
      bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) / 1000) * perSecond)
      bucket.at = now
      if (!buckets.has(key)) {
        // Bounded memory: forget the oldest key when a flood of new ones arrives.
        if (buckets.size >= maxKeys) buckets.delete(buckets.keys().next().value as string)
        buckets.set(key, bucket)
      }
      if (bucket.tokens < 1) return false
      bucket.tokens -= 1
      return true
    },
  }
}
