// The consumer benchmark: one topic drained by four consumers one after another, from Kafka's
// own client to the runtime with its effect in Postgres. What it measures and how to read it:
// bench/README.md.
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { loadStackConfig, localStackInfra } from '@nudj-webhooks/testing'
import { Kafka, logLevel } from 'kafkajs'
import { nodeOptionsOf } from '../ingest/config.ts'
import { describeMachine } from '../ingest/describe-machine.ts'
import { countTopicRecords } from './count-topic-records.ts'
import { createRecordSource } from './create-record-source.ts'
import { consumerRatios, formatRatios, formatResultsTable, targetEventsPerS } from './format-consumer-results.ts'
import type { ConsumerFigures } from './format-consumer-results.ts'
import { measureConsumerVariant } from './measure-consumer-variant.ts'
import { consumerBenchUsage, parseConsumerBenchArgs } from './parse-consumer-bench-args.ts'
import type { ConsumerBenchArgs } from './parse-consumer-bench-args.ts'
import { produceBenchRecords } from './produce-bench-records.ts'

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const buildDir = join(repoRoot, 'bench', '.build')
const resultsFile = join(repoRoot, 'bench', 'results', 'consumer.json')
const partitions = 6

async function main(argv: string[]): Promise<number> {
  const stack = loadStackConfig(repoRoot)
  const infra = localStackInfra(stack)
  let args: ConsumerBenchArgs
  try {
    args = parseConsumerBenchArgs(argv, { brokers: infra.kafkaBrokers, databaseUrl: infra.databaseUrl })
  } catch (error) {
    console.error(`bench:consumer: ${error instanceof Error ? error.message : String(error)}\n\n${consumerBenchUsage}`)
    return 2
  }
  if (args.help) {
    console.log(consumerBenchUsage)
    return 0
  }
  const libsDir = join(stack.artifactsDir, `kafka-${stack.kafka.version}`, 'libs')
  if (args.variants.includes('kafka-perf') && !existsSync(libsDir)) {
    console.error(`bench:consumer: ${libsDir} does not exist; start the stack once (pnpm stack up kafka) or leave kafka-perf out`)
    return 2
  }

  await mkdir(buildDir, { recursive: true })
  const say = (line: string): void => console.log(`bench:consumer: ${line}`)
  const kafka = new Kafka({ clientId: 'bench-consumer', brokers: args.brokers, logLevel: logLevel.ERROR })
  const timeoutMs = args.timeoutS * 1000
  const topic = args.topic ?? `bench.consumer.${Date.now()}`
  let production: { value_bytes: number; produce_s: number } | undefined
  if (args.topic === undefined) {
    const source = createRecordSource()
    say(`producing ${args.records.toLocaleString('en')} records (${source.meanBytes} bytes on average) into ${topic}`)
    const { seconds } = await produceBenchRecords(kafka, {
      topic,
      records: args.records,
      partitions,
      compression: args.compression,
      source,
      timeoutMs,
      say,
    })
    production = { value_bytes: source.meanBytes, produce_s: Math.round(seconds * 10) / 10 }
  }

  const admin = kafka.admin()
  await admin.connect()
  const variants: Record<string, ConsumerFigures> = {}
  try {
    const held = await countTopicRecords(admin, topic)
    if (held.records < args.records) {
      console.error(`bench:consumer: ${topic} holds ${held.records} records, fewer than --records ${args.records}`)
      return 2
    }
    say(`${topic}: ${held.records.toLocaleString('en')} records in ${held.partitions} partitions`)
    for (const name of args.variants) {
      say(`${name}: starting (at most ${args.timeoutS} s)`)
      const context = { repoRoot, buildDir, libsDir, kafka, brokers: args.brokers, databaseUrl: args.databaseUrl, topic, low: held.low }
      const figures = await measureConsumerVariant(name, { ...context, records: args.records, timeoutMs, say }).catch(
        (error: unknown): ConsumerFigures => ({
          status: 'failed',
          events_per_s: null,
          rss_mb: null,
          records: 0,
          seconds: null,
          first_record_s: null,
          error: error instanceof Error ? error.message : String(error),
        }),
      )
      variants[name] = figures
      say(
        `${name}: ${figures.status}${figures.events_per_s === null ? '' : `, ${figures.events_per_s.toLocaleString('en')} records/s`}${figures.error ? ` (${figures.error})` : ''}`,
      )
    }
    if (args.deleteTopic) {
      await admin.deleteTopics({ topics: [topic] })
      say(`deleted ${topic}`)
    }
  } finally {
    await admin.disconnect()
  }

  const ratios = consumerRatios(variants)
  const nodeOptions = nodeOptionsOf(process.env)
  const report = {
    machine: { ...(await describeMachine()), java: await javaVersion() },
    date: new Date().toISOString(),
    command: [nodeOptions ? `NODE_OPTIONS='${nodeOptions}'` : '', 'node bench/consumer/run.ts', ...argv]
      .filter((part) => part !== '')
      .join(' '),
    records: args.records,
    topic,
    settings: {
      partitions,
      compression: args.topic === undefined ? args.compression : 'as found',
      timeout_s: args.timeoutS,
      ...production,
    },
    variants,
    target_events_per_s: targetEventsPerS,
    ratios,
  }
  await mkdir(dirname(resultsFile), { recursive: true })
  await writeFile(resultsFile, `${JSON.stringify(report, null, 2)}\n`)
  console.log(`\n${formatResultsTable(variants)}\n`)
  if (Object.keys(ratios).length > 0) console.log(`${formatRatios(ratios)}\n`)
  say(`wrote ${resultsFile}`)
  if (!args.deleteTopic) say(`kept ${topic}: drain it again with --topic ${topic} (add --delete-topic to delete it afterwards)`)
  return Object.values(variants).every((f) => f.status === 'ok') ? 0 : 1
}

async function javaVersion(): Promise<string> {
  // `java -version` writes to stderr: `openjdk version "17.0.15" 2025-04-15`.
  return await promisify(execFile)('java', ['-version'], { timeout: 10_000 }).then(
    ({ stderr }) => stderr.split('\n')[0]?.trim() ?? 'unknown',
    () => 'not found',
  )
}

process.exitCode = await main(process.argv.slice(2)).catch((error: unknown) => {
  console.error('bench:consumer: failed:', error)
  return 1
})
