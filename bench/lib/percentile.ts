/** The q-quantile (0..1) of the values by the nearest-rank method, rounded to 0.1; 0 when there are none. */
export function percentile(values: readonly number[], q: number): number {
  if (values.length === 0) return 0
  const sorted = [...values].sort((a, b) => a - b)
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)))
  return Math.round((sorted[rank - 1] ?? 0) * 10) / 10
}

/** p50, p99 and max of a list of milliseconds. */
export function latencySummary(values: readonly number[]): { count: number; p50_ms: number; p99_ms: number; max_ms: number } {
  return { count: values.length, p50_ms: percentile(values, 0.5), p99_ms: percentile(values, 0.99), max_ms: percentile(values, 1) }
}
