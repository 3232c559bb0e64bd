/** One sample of the Prometheus text format. */
export type Sample = { name: string; labels: Record<string, string>; value: number }
export type ScrapeSource = { url: string; error?: string }

const line = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/
const label = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g

/** The samples of the metrics named in `names` (comments and other metrics skipped). */
export function parsePrometheusText(text: string, names: ReadonlySet<string>): Sample[] {
  const samples: Sample[] = []
  for (const row of text.split('\n')) {
    const match = line.exec(row)
    if (!match || !names.has(match[1]!)) continue
    const labels: Record<string, string> = {}
    for (const [, name, value] of (match[2] ?? '').matchAll(label))
      labels[name!] = value!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c))
    const value = Number(match[3])
    if (!Number.isNaN(value)) samples.push({ name: match[1]!, labels, value })
  }
  return samples
}

/** Fetches each /metrics URL (5 s each, at once); a source that fails says why and gives no samples. */
export async function scrapeMetrics(urls: string[], names: ReadonlySet<string>): Promise<{ samples: Sample[]; sources: ScrapeSource[] }> {
  const results = await Promise.all(
    urls.map(async (url) => {
      try {
        const response = await fetch(url, { signal: AbortSignal.timeout(5_000) })
        if (!response.ok) return { source: { url, error: `answered ${response.status}` }, samples: [] }
        return { source: { url }, samples: parsePrometheusText(await response.text(), names) }
      } catch (err) {
        return { source: { url, error: (err as Error).message }, samples: [] }
      }
    }),
  )
  return { samples: results.flatMap((r) => r.samples), sources: results.map((r) => r.source) }
}
