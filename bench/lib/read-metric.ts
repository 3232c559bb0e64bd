/** The sum of every sample of a metric (all label sets) in Prometheus text, 0 when absent. */
export function sumMetric(text: string, name: string): number {
  let sum = 0
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue
    const rest = line.slice(name.length)
    if (rest[0] !== '{' && rest[0] !== ' ') continue
    const value = Number(line.slice(line.lastIndexOf(' ') + 1))
    if (Number.isFinite(value)) sum += value
  }
  return sum
}

/** Fetches an ops server's /metrics; empty text when it does not answer. */
export async function fetchMetrics(opsUrl: string): Promise<string> {
  try {
    const response = await fetch(`${opsUrl}/metrics`, { signal: AbortSignal.timeout(5000) })
    return response.ok ? await response.text() : ''
  } catch {
    return ''
  }
}
