import type { DeliveryResult } from './deliver.ts'
import type { PlannedDelivery } from './plan-deliveries.ts'

/** What a `send` run did, for people (formatSendReport) and scripts (JSON). */
export type SendReport = {
  target: string
  durationS: number
  requestedRate: number
  achievedRate: number
  events: number
  duplicates: number
  reordered: number
  deliveries: { sent: number; acknowledged: number; rejected: number; gaveUp: number; aborted: number; inFlight: number }
  /** Deliveries that needed more than one attempt, and the retries they took. */
  retried: { deliveries: number; attempts: number }
  bad: { sent: number; rejected: number; acknowledged: number; gaveUp: number }
  /** Per attempt: the HTTP status, or `error` when no response came (timeout, connection). */
  statusCodes: Record<string, number>
  latencyMs: { p50: number; p99: number; max: number }
}

/** Accumulates outcomes as deliveries finish. */
export function createSendReport(target: string, requestedRate: number) {
  const began = performance.now()
  const latencies: number[] = []
  const report: SendReport = {
    target,
    durationS: 0,
    requestedRate,
    achievedRate: 0,
    events: 0,
    duplicates: 0,
    reordered: 0,
    deliveries: { sent: 0, acknowledged: 0, rejected: 0, gaveUp: 0, aborted: 0, inFlight: 0 },
    retried: { deliveries: 0, attempts: 0 },
    bad: { sent: 0, rejected: 0, acknowledged: 0, gaveUp: 0 },
    statusCodes: {},
    latencyMs: { p50: 0, p99: 0, max: 0 },
  }
  return {
    started(planned: PlannedDelivery): void {
      report.deliveries.sent += 1
      report.deliveries.inFlight += 1
      if (planned.kind === 'event') {
        report.events += 1
        if (planned.reordered) report.reordered += 1
      } else if (planned.kind === 'duplicate') report.duplicates += 1
      else report.bad.sent += 1
    },
    finished(planned: PlannedDelivery, result: DeliveryResult): void {
      report.deliveries.inFlight -= 1
      const outcome = result.outcome === 'gave-up' ? 'gaveUp' : result.outcome
      report.deliveries[outcome] += 1
      if (planned.kind === 'bad' && outcome !== 'aborted') report.bad[outcome] += 1
      if (result.attempts.length > 1) {
        report.retried.deliveries += 1
        report.retried.attempts += result.attempts.length - 1
      }
      for (const attempt of result.attempts) {
        const key = attempt.status === undefined ? 'error' : String(attempt.status)
        report.statusCodes[key] = (report.statusCodes[key] ?? 0) + 1
        latencies.push(attempt.durationMs)
      }
    },
    /** The report so far (also used for the live progress line). */
    snapshot(): SendReport {
      const durationS = (performance.now() - began) / 1000
      const sorted = [...latencies].sort((a, b) => a - b)
      const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0
      return {
        ...report,
        deliveries: { ...report.deliveries },
        retried: { ...report.retried },
        bad: { ...report.bad },
        statusCodes: { ...report.statusCodes },
        durationS: round(durationS),
        achievedRate: round(report.deliveries.sent / Math.max(durationS, 0.001)),
        latencyMs: { p50: at(0.5), p99: at(0.99), max: sorted.at(-1) ?? 0 },
      }
    },
  }
}

/** One line for a terminal, rewritten in place while a run goes on. */
export function formatProgress(r: SendReport, total: number): string {
  const d = r.deliveries
  return `sent ${r.events}/${total} events (+${r.duplicates} dup, +${r.bad.sent} bad)  ack ${d.acknowledged}  4xx/3xx ${d.rejected}  gave up ${d.gaveUp}  in flight ${d.inFlight}  retries ${r.retried.attempts}  ${r.achievedRate}/s  p99 ${r.latencyMs.p99} ms`
}

/** The closing report, as a short table. */
export function formatSendReport(r: SendReport): string {
  const statuses = Object.entries(r.statusCodes)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([code, n]) => `${code}: ${n}`)
    .join(', ')
  return [
    `target        ${r.target}`,
    `duration      ${r.durationS} s at ${r.achievedRate} requests/s (asked for ${r.requestedRate}/s)`,
    `events        ${r.events} (${r.reordered} sent out of order), ${r.duplicates} redelivered, ${r.bad.sent} bad requests`,
    `deliveries    ${r.deliveries.sent} sent: ${r.deliveries.acknowledged} acknowledged, ${r.deliveries.rejected} rejected (4xx/3xx), ${r.deliveries.gaveUp} given up, ${r.deliveries.aborted} aborted`,
    `retries       ${r.retried.attempts} retries over ${r.retried.deliveries} deliveries`,
    `bad requests  ${r.bad.rejected} rejected as they should be, ${r.bad.acknowledged} acknowledged, ${r.bad.gaveUp} given up`,
    `status codes  ${statuses || 'none'}`,
    `latency       p50 ${r.latencyMs.p50} ms, p99 ${r.latencyMs.p99} ms, max ${r.latencyMs.max} ms (per attempt)`,
  ].join('\n')
}

const round = (n: number): number => Math.round(n * 10) / 10
