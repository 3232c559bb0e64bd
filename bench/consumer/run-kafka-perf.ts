import { join } from 'node:path'
import type { ConsumerFigures } from './format-consumer-results.ts'
import { parseConsumerPerformance } from './parse-consumer-performance.ts'
import { runChild } from './run-child.ts'

export type KafkaPerfOptions = {
  /** Kafka's jars, kafka-tools among them. */
  libsDir: string
  brokers: string[]
  topic: string
  records: number
  group: string
  timeoutMs: number
  logFile: string
  /** Records the group has committed so far, for the progress lines. */
  committed: () => Promise<number>
  say: (line: string) => void
}

// What bin/kafka-consumer-perf-test.sh runs the tool with: its heap, and kafka-run-class.sh's JVM options.
const jvmOptions = [
  '-Xmx512M',
  '-server',
  '-XX:+UseG1GC',
  '-XX:MaxGCPauseMillis=20',
  '-XX:InitiatingHeapOccupancyPercent=35',
  '-XX:+ExplicitGCInvokesConcurrent',
  '-Djava.awt.headless=true',
]
const progressEveryMs = 3_000
// The tool's own limit on a pause between records; it then ends with what it has.
const quietLimitMs = 60_000

/** Variant (a): Kafka's own Java consumer, as its performance tool drives it; the figures are the tool's. */
export async function runKafkaPerf(options: KafkaPerfOptions): Promise<ConsumerFigures> {
  const { say } = options
  let output = ''
  let lastCommitted = 0
  const began = performance.now()
  const progress = setInterval(() => {
    options.committed().then(
      (records) => {
        lastCommitted = records
        const seconds = (performance.now() - began) / 1000
        const rate = Math.round(records / seconds).toLocaleString('en')
        say(
          `kafka-perf: ${records.toLocaleString('en')} records committed after ${seconds.toFixed(1)} s (${rate}/s so far, JVM start included)`,
        )
      },
      () => undefined, // a progress line is not worth failing for
    )
  }, progressEveryMs)
  const outcome = await runChild({
    name: 'kafka-perf',
    command: 'java',
    args: [
      ...jvmOptions,
      '-cp',
      join(options.libsDir, '*'),
      'org.apache.kafka.tools.ConsumerPerformance',
      ...['--bootstrap-server', options.brokers.join(','), '--topic', options.topic, '--group', options.group],
      ...['--messages', String(options.records), '--timeout', String(quietLimitMs)],
    ],
    logFile: options.logFile,
    timeoutMs: options.timeoutMs,
    onLine: (line) => (output += `${line}\n`),
  }).finally(() => clearInterval(progress))

  const summary = outcome.timedOut ? undefined : parseConsumerPerformance(output)
  if (summary === undefined || summary.records < options.records) {
    return {
      status: outcome.timedOut ? 'timed-out' : 'failed',
      events_per_s: null,
      rss_mb: outcome.polledRssMb,
      records: summary?.records ?? lastCommitted,
      seconds: null,
      first_record_s: null,
      error: outcome.timedOut
        ? `stopped after ${Math.round(options.timeoutMs / 1000)} s; see ${options.logFile}`
        : `exited with ${outcome.exit}${summary ? ` after ${summary.records} records` : ' without a summary'}; see ${options.logFile}`,
    }
  }
  return {
    status: 'ok',
    events_per_s: Math.round(summary.eventsPerS),
    // VmHWM only grows; the last reading is at most 250 ms older than the JVM's exit.
    rss_mb: outcome.polledRssMb,
    records: summary.records,
    seconds: (summary.rebalanceMs + summary.fetchMs) / 1000,
    // The tool's time to join the group, the nearest it says to when the first record came.
    first_record_s: summary.rebalanceMs / 1000,
    fetch_events_per_s: Math.round(summary.fetchEventsPerS),
  }
}
