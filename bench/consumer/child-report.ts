/**
 * What a Node variant tells the runner, one JSON object a line on its stdout. Times are
 * seconds since the variant started consuming (just before it connected to the broker).
 */
export type ChildReport =
  | { type: 'progress'; records: number; seconds: number }
  | {
      type: 'done'
      records: number
      seconds: number
      /** When the first record was seen (connecting and joining the group come before it). */
      firstRecordSeconds: number | null
      /** The variant's own peak resident memory (VmHWM), read as it finished. */
      rssMb: number | null
    }

export function writeChildReport(report: ChildReport): void {
  process.stdout.write(`${JSON.stringify(report)}\n`)
}

/** A report, or undefined for any other line (the variant's own output). */
export function parseChildReport(line: string): ChildReport | undefined {
  if (!line.startsWith('{"type":')) return undefined
  try {
    const report = JSON.parse(line) as ChildReport
    return report.type === 'progress' || report.type === 'done' ? report : undefined
  } catch {
    return undefined
  }
}
