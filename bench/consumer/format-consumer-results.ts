export type ConsumerFigures = {
  status: 'ok' | 'timed-out' | 'failed'
  /** Records over the seconds from the start of consumption to the last record; null unless ok. */
  events_per_s: number | null
  /** Peak resident memory (VmHWM) of the process that consumed. */
  rss_mb: number | null
  /** Records consumed (kafka-perf, kafkajs-bare) or rows in the ledger (runtime-*); may pass the target by a batch. */
  records: number
  seconds: number | null
  /** When the first record came: connecting and joining the group come before it. */
  first_record_s: number | null
  error?: string
  /** kafka-perf: its own rate without the time it took to join the group (fetch.nMsg.sec). */
  fetch_events_per_s?: number
  /** runtime-postgres: rows in the projection table, which must equal the ledger's. */
  projection_rows?: number
}

/** What runtime-postgres is held to. */
export const targetEventsPerS = 20_000

const columns = ['variant', 'status', 'records', 'seconds', 'events/s', 'first record s', 'rss MB'] as const

/** A plain-text table, one row per variant. */
export function formatResultsTable(variants: Record<string, ConsumerFigures>): string {
  const rows = Object.entries(variants).map(([name, f]) => [
    name,
    f.status,
    f.records.toLocaleString('en'),
    f.seconds === null ? '-' : f.seconds.toFixed(2),
    f.events_per_s === null ? '-' : f.events_per_s.toLocaleString('en'),
    f.first_record_s === null ? '-' : f.first_record_s.toFixed(2),
    f.rss_mb === null ? '-' : String(f.rss_mb),
  ])
  const widths = columns.map((c, i) => Math.max(c.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: readonly string[]): string =>
    cells.map((c, i) => (i < 2 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ')
  return [line(columns), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n')
}

/** The runtime against bare kafkajs, kafkajs against Kafka's own client, and runtime-postgres against the target. */
export function consumerRatios(variants: Record<string, ConsumerFigures>): Record<string, number> {
  const rate = (name: string): number | null => variants[name]?.events_per_s ?? null
  const ratios: Record<string, number> = {}
  const pairs = [
    ['runtime-noop/kafkajs-bare', rate('runtime-noop'), rate('kafkajs-bare')],
    ['kafkajs-bare/kafka-perf', rate('kafkajs-bare'), rate('kafka-perf')],
    ['runtime-postgres/runtime-noop', rate('runtime-postgres'), rate('runtime-noop')],
    [`runtime-postgres/target`, rate('runtime-postgres'), targetEventsPerS],
  ] as const
  for (const [name, over, under] of pairs) {
    if (over !== null && under !== null && under > 0) ratios[name] = Math.round((over / under) * 100) / 100
  }
  return ratios
}

export function formatRatios(ratios: Record<string, number>): string {
  return Object.entries(ratios)
    .map(([name, ratio]) => {
      const note =
        name === 'runtime-postgres/target' ? ` (target ${targetEventsPerS.toLocaleString('en')}/s: ${ratio >= 1 ? 'met' : 'missed'})` : ''
      return `${name}: x${ratio}${note}`
    })
    .join('\n')
}
