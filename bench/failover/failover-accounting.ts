import { percentile } from '../lib/percentile.ts'

/** What the runner keeps of each finished delivery. */
export type DeliveryRecord = {
  /** The webhook id ingest answered (from the 2xx body), when acknowledged. */
  webhookId?: string
  acknowledged: boolean
  attempts: { startedAtMs: number; durationMs: number; status?: number; code?: string }[]
}

export type PhaseName = 'before' | 'during' | 'after'

export type FailoverFigures = {
  deliveries: number
  acked: number
  failed: number
  lost: number
  /** Webhook ids stored more than once although their delivery was never retried. */
  unexpected_duplicates: number
  /** Ids stored more than once after a retried delivery (allowed: at-least-once). */
  retried_duplicates: number
  retried_deliveries: number
  attempts_by_status: Record<string, number>
  /** Non-2xx attempts by the error code ingest answered (`error` when no answer came). */
  attempts_by_code: Record<string, number>
  /** Up to 20 acknowledged deliveries not found in Kafka: id, seconds from the kill to each attempt's start, and statuses. */
  lost_examples: { webhookId: string; attempts: string[] }[]
  p99_ms_before: number
  p99_ms_during: number
  p99_ms_after: number
  phases: Record<
    PhaseName,
    {
      deliveries: number
      attempts: number
      attempt_p50_ms: number
      attempt_p99_ms: number
      delivery_p99_ms: number
      non_2xx_attempts: number
    }
  >
}

/**
 * The failover's accounting. A delivery belongs to the phase in which its first attempt
 * started, an attempt to the phase in which it ended; `during` is the `duringMs` after the kill. Attempt latency is one request's answer
 * time; delivery latency runs from the first attempt's start to the last attempt's end
 * (retries and their waits included). `stored` counts each webhook id found in Kafka.
 */
export function accountFailover(
  deliveries: DeliveryRecord[],
  stored: Map<string, number>,
  killAtMs: number,
  duringMs: number,
): FailoverFigures {
  const phaseOf = (ms: number): PhaseName => (ms < killAtMs ? 'before' : ms < killAtMs + duringMs ? 'during' : 'after')
  const attempts: Record<PhaseName, number[]> = { before: [], during: [], after: [] }
  const delivery: Record<PhaseName, number[]> = { before: [], during: [], after: [] }
  const non2xx: Record<PhaseName, number> = { before: 0, during: 0, after: 0 }
  const byStatus: Record<string, number> = {}
  const byCode: Record<string, number> = {}
  const lostExamples: FailoverFigures['lost_examples'] = []
  let lost = 0
  let unexpected = 0
  let retriedDuplicates = 0
  let retried = 0
  for (const d of deliveries) {
    const first = d.attempts[0]
    const last = d.attempts.at(-1)
    if (!first || !last) continue
    const phase = phaseOf(first.startedAtMs)
    delivery[phase].push(last.startedAtMs + last.durationMs - first.startedAtMs)
    for (const a of d.attempts) {
      const p = phaseOf(a.startedAtMs + a.durationMs)
      attempts[p].push(a.durationMs)
      const key = a.status === undefined ? 'error' : String(a.status)
      byStatus[key] = (byStatus[key] ?? 0) + 1
      if (a.status === undefined || a.status < 200 || a.status >= 300) {
        non2xx[p] += 1
        const code = a.code ?? (a.status === undefined ? 'error' : String(a.status))
        byCode[code] = (byCode[code] ?? 0) + 1
      }
    }
    if (d.attempts.length > 1) retried += 1
    if (!d.acknowledged || d.webhookId === undefined) continue
    const copies = stored.get(d.webhookId) ?? 0
    if (copies === 0) {
      lost += 1
      if (lostExamples.length < 20) {
        const at = (a: { startedAtMs: number; status?: number }): string =>
          `${((a.startedAtMs - killAtMs) / 1000).toFixed(1)}s:${a.status ?? 'error'}`
        lostExamples.push({ webhookId: d.webhookId, attempts: d.attempts.map(at) })
      }
    } else if (copies > 1 && d.attempts.length > 1) retriedDuplicates += 1
    else if (copies > 1) unexpected += 1
  }
  const acked = deliveries.filter((d) => d.acknowledged).length
  const phase = (name: PhaseName) => ({
    deliveries: delivery[name].length,
    attempts: attempts[name].length,
    attempt_p50_ms: percentile(attempts[name], 0.5),
    attempt_p99_ms: percentile(attempts[name], 0.99),
    delivery_p99_ms: percentile(delivery[name], 0.99),
    non_2xx_attempts: non2xx[name],
  })
  return {
    deliveries: deliveries.length,
    acked,
    failed: deliveries.length - acked,
    lost,
    unexpected_duplicates: unexpected,
    retried_duplicates: retriedDuplicates,
    retried_deliveries: retried,
    attempts_by_status: byStatus,
    attempts_by_code: byCode,
    lost_examples: lostExamples,
    p99_ms_before: percentile(attempts.before, 0.99),
    p99_ms_during: percentile(attempts.during, 0.99),
    p99_ms_after: percentile(attempts.after, 0.99),
    phases: { before: phase('before'), during: phase('during'), after: phase('after') },
  }
}
