export type ConsumerPerformanceSummary = {
  records: number
  /** nMsg.sec: records over the whole run, joining the group included. */
  eventsPerS: number
  /** fetch.nMsg.sec: the same without the time it took to join the group. */
  fetchEventsPerS: number
  rebalanceMs: number
  fetchMs: number
}

/**
 * Reads the summary `ConsumerPerformance` prints without `--show-detailed-stats`: a header line
 * (`start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec,
 * rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec`) and one line of values.
 */
export function parseConsumerPerformance(output: string): ConsumerPerformanceSummary | undefined {
  const lines = output.split('\n').map((line) => line.trim())
  const headerAt = lines.findIndex((line) => line.startsWith('start.time,'))
  const header = lines[headerAt]
  const values = lines[headerAt + 1]
  if (headerAt < 0 || header === undefined || values === undefined) return undefined
  const cells = values.split(',').map((cell) => cell.trim())
  const field = (name: string): number => {
    const index = header.split(',').findIndex((h) => h.trim() === name)
    const value = Number(cells[index])
    if (index < 0 || !Number.isFinite(value)) throw new Error(`ConsumerPerformance printed no number for ${name}: '${values}'`)
    return value
  }
  return {
    records: field('data.consumed.in.nMsg'),
    eventsPerS: field('nMsg.sec'),
    fetchEventsPerS: field('fetch.nMsg.sec'),
    rebalanceMs: field('rebalance.time.ms'),
    fetchMs: field('fetch.time.ms'),
  }
}
