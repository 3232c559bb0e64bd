import type { PooledRequest } from './build-request-pool.ts'
import type { VariantFigures } from './format-results.ts'
import { runLoad } from './run-load.ts'
import type { LoadFigures } from './run-load.ts'
import { startVariant } from './start-variant.ts'
import type { VariantSpec } from './start-variant.ts'

export type MeasureOptions = {
  /** Origin the load goes to, e.g. `http://127.0.0.1:3000`. */
  url: string
  pool: PooledRequest[]
  connections: number
  durationS: number
  warmupS: number
  /** Also run once more, paced to half of the rate reached (ingest only). */
  halfRate: boolean
  say: (line: string) => void
}

/** Starts one variant, warms it up, measures it (and at half rate if asked), then stops it whatever happens. */
export async function measureVariant(spec: VariantSpec, options: MeasureOptions): Promise<VariantFigures> {
  const { url, pool, connections, durationS, warmupS, say } = options
  say(`${spec.name}: starting`)
  const variant = await startVariant(spec)
  try {
    if (warmupS > 0) {
      say(`${spec.name}: ready (pid ${variant.pid}); warming up for ${warmupS} s (not measured)`)
      await runLoad({ url, pool, connections, durationS: warmupS })
    }
    say(`${spec.name}: measuring for ${durationS} s with ${connections} connections`)
    const full = await runLoad({ url, pool, connections, durationS })
    say(`${spec.name}: ${describe(full)}`)
    let half: LoadFigures | undefined
    let target: number | undefined
    if (options.halfRate && full.rps > 1) {
      target = Math.max(1, Math.round(full.rps / 2))
      say(`${spec.name}: measuring for ${durationS} s paced to ${target} requests/s`)
      half = await runLoad({ url, pool, connections, durationS, overallRate: target })
      say(`${spec.name} @ ${target}/s: ${describe(half)}`)
    }
    // VmHWM only grows, so reading it after the last run gives the peak of the whole life.
    const rss = variant.peakRssMb() ?? null
    return {
      rps: full.rps,
      p50_ms: full.p50_ms,
      p99_ms: full.p99_ms,
      max_ms: full.max_ms,
      non2xx: full.non2xx,
      rss_mb: rss,
      ...(half !== undefined && {
        target_rps_half_rate: target,
        rps_half_rate: half.rps,
        p50_ms_half_rate: half.p50_ms,
        p99_ms_half_rate: half.p99_ms,
        max_ms_half_rate: half.max_ms,
        non2xx_half_rate: half.non2xx,
      }),
    }
  } finally {
    say(`${spec.name}: stopping`)
    await variant.stop()
  }
}

function describe(f: LoadFigures): string {
  return `${f.rps} req/s, p50 ${f.p50_ms} ms, p99 ${f.p99_ms} ms, max ${f.max_ms} ms, ${f.non2xx} non-2xx of ${f.requests}`
}
