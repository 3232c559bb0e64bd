import type { LoadFigures } from './run-load.ts'

export type VariantFigures = Omit<LoadFigures, 'requests'> & {
  /** Peak resident memory of the variant's process (VmHWM), read just before it was stopped. */
  rss_mb: number | null
  /** ingest only: the second run, paced to half of the rate it reached unpaced. */
  target_rps_half_rate?: number
  rps_half_rate?: number
  p50_ms_half_rate?: number
  p99_ms_half_rate?: number
  max_ms_half_rate?: number
  non2xx_half_rate?: number
}

const columns = ['variant', 'rps', 'p50 ms', 'p99 ms', 'max ms', 'non2xx', 'rss MB'] as const

/** A plain-text table, one row per variant and one for ingest's half-rate run. */
export function formatResultsTable(variants: Record<string, VariantFigures>): string {
  const rows: string[][] = []
  for (const [name, f] of Object.entries(variants)) {
    rows.push([name, String(f.rps), ms(f.p50_ms), ms(f.p99_ms), ms(f.max_ms), String(f.non2xx), f.rss_mb === null ? '-' : String(f.rss_mb)])
    if (f.rps_half_rate !== undefined) {
      rows.push([
        `${name} @ ${f.target_rps_half_rate ?? '?'}/s`,
        String(f.rps_half_rate),
        ms(f.p50_ms_half_rate),
        ms(f.p99_ms_half_rate),
        ms(f.max_ms_half_rate),
        String(f.non2xx_half_rate ?? '-'),
        '',
      ])
    }
  }
  const widths = columns.map((c, i) => Math.max(c.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: readonly string[]): string =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ')
  return [line(columns), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n')
}

export type Ratio = { rps: number; p99_ms: number }

/** Each ingest variant against each reference it was run with: above 1 means ingest had more of it. */
export function ingestRatios(variants: Record<string, VariantFigures>): Record<string, Ratio> {
  const ratios: Record<string, Ratio> = {}
  for (const name of ['ingest', 'ingest-platformatic']) {
    const ingest = variants[name]
    if (ingest === undefined) continue
    for (const reference of ['naive-kafkajs', 'fastify-bare', 'go-franz', 'ingest']) {
      const other = variants[reference]
      if (reference === name || other === undefined || other.rps === 0 || other.p99_ms === 0) continue
      ratios[`${name}/${reference}`] = { rps: round(ingest.rps / other.rps), p99_ms: round(ingest.p99_ms / other.p99_ms) }
    }
  }
  return ratios
}

export function formatRatios(ratios: Record<string, Ratio>): string {
  return Object.entries(ratios)
    .map(([name, r]) => `${name}: rps x${r.rps}, p99 x${r.p99_ms}`)
    .join('\n')
}

function ms(value: number | undefined): string {
  // autocannon records whole milliseconds; more digits would be false precision.
  return value === undefined ? '-' : String(Math.round(value * 10) / 10)
}

function round(value: number): number {
  return Math.round(value * 100) / 100
}
