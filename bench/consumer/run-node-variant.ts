import { parseChildReport } from './child-report.ts'
import type { ChildReport } from './child-report.ts'
import type { ConsumerFigures } from './format-consumer-results.ts'
import { runChild } from './run-child.ts'

export type NodeVariantSpec = {
  name: string
  /** The variant's entry file, run by this Node with the same options. */
  file: string
  args: string[]
  logFile: string
  timeoutMs: number
  say: (line: string) => void
}

/** Runs a Node variant to its end and turns its reports into figures; progress is passed on as it comes. */
export async function runNodeVariant(spec: NodeVariantSpec): Promise<ConsumerFigures> {
  const { name, say } = spec
  let done: Extract<ChildReport, { type: 'done' }> | undefined
  let lastRecords = 0
  const outcome = await runChild({
    name,
    command: process.execPath,
    args: [spec.file, ...spec.args],
    logFile: spec.logFile,
    timeoutMs: spec.timeoutMs,
    onLine(line) {
      const report = parseChildReport(line)
      if (report?.type === 'progress') {
        lastRecords = report.records
        const rate = report.seconds > 0 ? Math.round(report.records / report.seconds) : 0
        say(
          `${name}: ${report.records.toLocaleString('en')} records after ${report.seconds.toFixed(1)} s (${rate.toLocaleString('en')}/s so far)`,
        )
      } else if (report?.type === 'done') done = report
    },
  })
  if (done !== undefined) {
    return {
      status: 'ok',
      events_per_s: Math.round(done.records / done.seconds),
      rss_mb: done.rssMb ?? outcome.polledRssMb,
      records: done.records,
      seconds: round(done.seconds),
      first_record_s: done.firstRecordSeconds === null ? null : round(done.firstRecordSeconds),
      // Leaving the group comes after the measurement; a failure there is worth knowing, not fatal.
      ...(outcome.exit !== 0 && { error: `exited with ${outcome.exit} after finishing; see ${spec.logFile}` }),
    }
  }
  return {
    status: outcome.timedOut ? 'timed-out' : 'failed',
    events_per_s: null,
    rss_mb: outcome.polledRssMb,
    records: lastRecords,
    seconds: null,
    first_record_s: null,
    error: outcome.timedOut
      ? `stopped after ${Math.round(spec.timeoutMs / 1000)} s with ${lastRecords} records counted; see ${spec.logFile}`
      : `exited with ${outcome.exit} before it was done; see ${spec.logFile}`,
  }
}

function round(seconds: number): number {
  return Math.round(seconds * 1000) / 1000
}
