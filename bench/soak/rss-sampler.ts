import { appendFile } from 'node:fs/promises'
import { rssMb } from '../lib/process-rss.ts'

/**
 * A series to sample: a process's name and the pids whose RSS add up to it (one, or a
 * server's tree), or another reading in MB (a service's V8 heap in use, from its /metrics).
 */
export type Sampled = { name: string; pids: () => Promise<number[]> } | { name: string; mb: () => Promise<number | undefined> }

export type RssSummary = {
  samples: number
  rss_mb_start: number
  rss_mb_end: number
  rss_mb_max: number
  growth_mb: number
  /** Least-squares slope over every sample, MB per hour. */
  slope_mb_per_hour: number
  /** The same over the second half of the samples (after warm-up: JIT, pools, caches, page cache). */
  slope_mb_per_hour_second_half: number
}

/**
 * Samples the RSS of every process, appending each round to a JSON-lines file as it goes
 * (so an interrupted soak keeps what it measured), and summarises each process at the end.
 */
export function createRssSampler(processes: Sampled[], file: string, began: number) {
  const series = new Map<string, { s: number; mb: number }[]>(processes.map((p) => [p.name, []]))
  return {
    async sample(): Promise<Record<string, number>> {
      const s = Math.round((Date.now() - began) / 100) / 10
      const round: Record<string, number> = {}
      for (const p of processes) {
        let sum = 0
        if ('mb' in p) sum = (await p.mb()) ?? 0
        else for (const pid of await p.pids()) sum += (await rssMb(pid)) ?? 0
        round[p.name] = Math.round(sum * 10) / 10
        if (sum > 0) series.get(p.name)?.push({ s, mb: round[p.name]! })
      }
      await appendFile(file, `${JSON.stringify({ at_s: s, rss_mb: round })}\n`)
      return round
    },
    summary(): Record<string, RssSummary> {
      const out: Record<string, RssSummary> = {}
      for (const [name, points] of series) {
        if (points.length === 0) continue
        const first = points[0]!
        const last = points.at(-1)!
        out[name] = {
          samples: points.length,
          rss_mb_start: first.mb,
          rss_mb_end: last.mb,
          rss_mb_max: Math.max(...points.map((p) => p.mb)),
          growth_mb: Math.round((last.mb - first.mb) * 10) / 10,
          slope_mb_per_hour: Math.round(slope(points) * 3600 * 10) / 10,
          slope_mb_per_hour_second_half: Math.round(slope(points.slice(Math.floor(points.length / 2))) * 3600 * 10) / 10,
        }
      }
      return out
    },
  }
}

function slope(points: { s: number; mb: number }[]): number {
  if (points.length < 2) return 0
  const n = points.length
  const mx = points.reduce((a, p) => a + p.s, 0) / n
  const my = points.reduce((a, p) => a + p.mb, 0) / n
  const num = points.reduce((a, p) => a + (p.s - mx) * (p.mb - my), 0)
  const den = points.reduce((a, p) => a + (p.s - mx) ** 2, 0)
  return den === 0 ? 0 : num / den
}
