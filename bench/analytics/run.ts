// The analytics benchmark: projection rate with batch transactions against the same handler
// one transaction per message, and the wall time of `pnpm analytics rebuild` over 1,000,000
// events. Method: the BENCHMARKS.md section on analytics.
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry'
import { allCategoryTopics } from '@nudj-webhooks/contracts'
import { createKafkaClient } from '@nudj-webhooks/kafka'
import { createLogger, createMetricsRegistry } from '@nudj-webhooks/observability'
import { createPool, migrate } from '@nudj-webhooks/postgres'
import { createFreshDatabase, loadStackConfig, localStackInfra, serviceEnv } from '@nudj-webhooks/testing'
import { mkdir, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { loadavg } from 'node:os'
import { parseArgs } from 'node:util'
import { createAnalyticsMetrics } from '../../services/analytics/src/create-analytics-metrics.ts'
import { createConsumer } from '../../services/analytics/src/create-consumer.ts'
import { migrations } from '../../services/analytics/src/migrations.ts'
import { describeMachine } from '../ingest/describe-machine.ts'
import { drainProjector } from './drain-projector.ts'
import { produceEnvelopes } from './produce-envelopes.ts'
import { runRebuild } from './run-rebuild.ts'

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const resultsFile = join(repoRoot, 'bench', 'results', 'analytics.json')
const usage = `usage: pnpm bench:analytics [--records 1000000] [--project-records 300000] [--baseline-records 20000] [--concurrency 3] [--keep]

Produces --records envelopes to fresh category topics, projects --project-records of them with
batch transactions and --baseline-records one transaction per message (same handler), then
times \`pnpm analytics rebuild\` over all of them. Writes bench/results/analytics.json.`

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      records: { type: 'string', default: '1000000' },
      'project-records': { type: 'string', default: '300000' },
      'baseline-records': { type: 'string', default: '20000' },
      concurrency: { type: 'string', default: '3' },
      keep: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  })
  if (values.help) {
    console.log(usage)
    return 0
  }
  const records = Number(values.records)
  const projectRecords = Math.min(Number(values['project-records']), records)
  const baselineRecords = Math.min(Number(values['baseline-records']), records)
  const concurrency = Number(values.concurrency)
  const say = (line: string): void => console.log(`bench:analytics: ${line}`)
  const infra = localStackInfra(loadStackConfig(repoRoot))
  const logger = createLogger({ service: 'bench-analytics', version: '0', level: 'warn' })
  const kafka = createKafkaClient({ brokers: infra.kafkaBrokers, clientId: 'bench-analytics', logger })
  const prefix = `bench.analytics.${Date.now()}`
  const group = `bench-analytics-${Date.now()}`
  const topics = allCategoryTopics(prefix)
  const db = await createFreshDatabase(infra.databaseUrl, 'bench_analytics')
  const pool = createPool({ url: db.url, applicationName: 'bench-analytics', max: 10, logger })
  try {
    await migrate(pool, 'analytics', migrations)
    say(`producing ${records.toLocaleString('en')} envelopes to ${prefix}.<category>`)
    const production = await produceEnvelopes(kafka, { prefix, records, partitions: 6, registryUrl: infra.schemaRegistryUrl, say })
    say(`produced in ${production.seconds.toFixed(1)} s (${production.meanBytes} bytes a record on average)`)

    const definition = (groupId: string) =>
      createConsumer(
        {
          schemaRegistry: new SchemaRegistry({ host: infra.schemaRegistryUrl }),
          metrics: createAnalyticsMetrics(createMetricsRegistry('bench-analytics')),
        },
        { group: groupId, topics, retrySchedule: [10_000], handlerTimeoutMs: 60_000, partitionsConsumedConcurrently: concurrency },
      )
    say(`batch transactions: projecting ${projectRecords.toLocaleString('en')} records`)
    const load: Record<string, number> = { before_batch: loadavg()[0] ?? 0 }
    const batch = await drainProjector(definition(group), { kafka, pool, logger, count: projectRecords, timeoutMs: 600_000 })
    say(`batch transactions: ${batch.events_per_s.toLocaleString('en')} records/s`)

    say(`one transaction per message: projecting ${baselineRecords.toLocaleString('en')} records`)
    load.before_per_message = loadavg()[0] ?? 0
    const { batchHandler: _batch, ...single } = definition(`${group}-single`)
    const perMessage = await drainProjector(single, { kafka, pool, logger, count: baselineRecords, timeoutMs: 600_000 })
    say(`one transaction per message: ${perMessage.events_per_s.toLocaleString('en')} records/s`)

    say(`rebuild over ${records.toLocaleString('en')} records (pnpm analytics rebuild)`)
    load.before_rebuild = loadavg()[0] ?? 0
    const rebuild = await runRebuild(
      repoRoot,
      serviceEnv('analytics', infra, {
        topicPrefix: prefix,
        group,
        databaseUrl: db.url,
        env: { ANALYTICS_PARTITIONS_CONCURRENTLY: String(concurrency) },
      }),
      say,
    )
    const projected = Number((await pool.query<{ n: string }>('SELECT sum(events) AS n FROM analytics_events_daily')).rows[0]?.n ?? 0)
    if (rebuild.exit_code !== 0 || projected !== records) say(`rebuild: exit ${rebuild.exit_code}, ${projected} events projected`)

    const report = {
      machine: {
        ...(await describeMachine()),
        load_avg_1m: Object.fromEntries(
          Object.entries({ ...load, after_rebuild: loadavg()[0] ?? 0 }).map(([k, v]) => [k, Math.round(v * 10) / 10]),
        ),
      },
      date: new Date().toISOString(),
      command: ['node bench/analytics/run.ts', ...argv].join(' '),
      method:
        'envelopes (Avro via the registry) around simulator bodies of both generations, 6 partitions per category topic; ' +
        'rates from committed offsets between the first and the last commit; rebuild = spawn to exit of bin/analytics.ts rebuild, ' +
        'truncation and group reset included; rss_mb = peak VmHWM of the rebuild process',
      events_per_s: batch.events_per_s,
      rebuild_1m_s: records === 1_000_000 && rebuild.exit_code === 0 && projected === records ? rebuild.seconds : null,
      rss_mb: rebuild.rss_mb,
      targets: { events_per_s: 20_000, rebuild_1m_s: 60 },
      settings: {
        records,
        partitions: 6,
        partitions_consumed_concurrently: concurrency,
        value_bytes: production.meanBytes,
        produce_s: Math.round(production.seconds * 10) / 10,
      },
      variants: {
        'batch-transactions': batch,
        'transaction-per-message': perMessage,
        rebuild: { ...rebuild, records, projected },
      },
      ratio_batch_over_per_message: Math.round((batch.events_per_s / Math.max(perMessage.events_per_s, 1)) * 10) / 10,
    }
    await mkdir(dirname(resultsFile), { recursive: true })
    await writeFile(resultsFile, `${JSON.stringify(report, null, 2)}\n`)
    say(`wrote ${resultsFile}`)
    console.log(JSON.stringify({ events_per_s: report.events_per_s, rebuild_1m_s: report.rebuild_1m_s, rss_mb: report.rss_mb }))
    return rebuild.exit_code === 0 && projected === records ? 0 : 1
  } finally {
    await pool.end()
    await db.drop()
    if (!values.keep) {
      const admin = kafka.admin()
      await admin.connect()
      await admin.deleteTopics({
        topics: (await admin.listTopics()).filter((t) => t.startsWith(prefix) || t.startsWith(group)),
      })
      await admin.disconnect()
      say(`deleted the topics under ${prefix}`)
    }
  }
}

process.exitCode = await main(process.argv.slice(2)).catch((error: unknown) => {
  console.error('bench:analytics: failed:', error)
  return 1
})
