import { runSend, type PlannedDelivery, type Receiver } from '@nudj-webhooks/nudj-sim'
import { groupLag, waitForNoLag } from '../lib/group-lag.ts'

export type ProbeStep = {
  rate: number
  sent: number
  achieved_rate: number
  non_2xx_attempts: number
  /** The largest group's uncommitted records when the step's traffic ended. */
  max_lag_at_end: number
  held: boolean
}

export type ProbeOptions = {
  receiver: Receiver
  brokers: string[]
  groups: string[]
  /** Rates tried in order; the probe stops at the first one not held (after one step halfway back). */
  rates: number[]
  stepSeconds: number
  concurrency: number
  /** Each step sends events of its own seed (seed + 1 + its index), so none repeats the soak's. */
  seed: number
  /** A step is held when the consumers end it at most this many seconds of traffic behind. */
  lagSeconds: number
  drainTimeoutMs: number
  say: (line: string) => void
  /** Told every delivery sent (the soak keeps their signatures for the log scan). */
  onDelivery: (planned: PlannedDelivery) => void
}

/**
 * The pipeline's peak: steady traffic at each rate in turn for `stepSeconds`. A rate is held
 * when every attempt was answered 2xx (no shedding, no timeouts), the sender reached 95 % of
 * it, and no consumer group ended more than `lagSeconds` of traffic behind. Between steps the
 * consumers catch up, so each step starts from an empty backlog.
 */
export async function probePeak(o: ProbeOptions): Promise<{ peak: number; steps: ProbeStep[] }> {
  const steps: ProbeStep[] = []
  const heldRates = (): number[] => steps.filter((s) => s.held).map((s) => s.rate)
  for (const rate of o.rates) {
    if ((await tryRate(o, rate, steps)).held) continue
    // One more step halfway between the last rate held and the first one not.
    const last = Math.max(0, ...heldRates())
    if (last > 0 && rate - last > 1) await tryRate(o, Math.round((last + rate) / 2), steps)
    break
  }
  return { peak: Math.max(0, ...heldRates()), steps }
}

async function tryRate(o: ProbeOptions, rate: number, steps: ProbeStep[]): Promise<ProbeStep> {
  const report = await runSend({
    receiver: o.receiver,
    count: rate * o.stepSeconds,
    rate,
    concurrency: o.concurrency,
    seed: o.seed + 1 + steps.length,
    gen1Share: 0.5,
    signal: AbortSignal.timeout((o.stepSeconds + 60) * 1000),
    onDelivery: o.onDelivery,
  })
  const lag: Record<string, number> = await groupLag(o.brokers, o.groups).catch(() => ({}))
  const maxLag = Math.max(0, ...Object.values(lag))
  const non2xx = Object.entries(report.statusCodes)
    .filter(([status]) => !status.startsWith('2'))
    .reduce((sum, [, n]) => sum + n, 0)
  const step: ProbeStep = {
    rate,
    sent: report.deliveries.sent,
    achieved_rate: Math.round(report.achievedRate),
    non_2xx_attempts: non2xx,
    max_lag_at_end: maxLag,
    held: non2xx === 0 && report.achievedRate >= 0.95 * rate && maxLag <= rate * o.lagSeconds,
  }
  steps.push(step)
  o.say(`probe ${rate}/s: ${JSON.stringify(step)}`)
  await waitForNoLag(o.brokers, o.groups, { timeoutMs: o.drainTimeoutMs, intervalMs: 2000, stableChecks: 2, say: o.say })
  return step
}
