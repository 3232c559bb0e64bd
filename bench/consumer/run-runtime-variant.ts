import { createKafkaClient, createPostgresLedger, runConsumer } from '@nudj-webhooks/kafka'
import type { BatchHandler, ConsumerMessage, Handler } from '@nudj-webhooks/kafka'
import { createLogger, createMetricsRegistry } from '@nudj-webhooks/observability'
import pg from 'pg'
import { readPeakRssMb } from '../ingest/read-peak-rss.ts'
import { writeChildReport } from './child-report.ts'
import type { ConsumerVariantConfig } from './config.ts'
import { waitForLedgerRows } from './wait-for-ledger-rows.ts'

export type RuntimeVariant<T> = {
  name: string
  decode: (message: ConsumerMessage) => T
  handler: Handler<T>
  batchHandler: BatchHandler<T>
}

/** The group's one retry tier; the runner creates its topic (and the DLQ) before the variant starts. */
export const benchRetrySchedule = [60_000]
const progressEveryMs = 3_000

/**
 * Runs `runConsumer` as a service would (effect 'postgres', six partitions at a time, the
 * ledger in the given database, metrics and logs on), reports progress from the ledger, and
 * stops once the ledger holds the records asked for.
 */
export async function runRuntimeVariant<T>(config: ConsumerVariantConfig, variant: RuntimeVariant<T>): Promise<void> {
  if (!config.databaseUrl) throw new Error(`${variant.name} needs --database-url (or DATABASE_URL): the ledger lives there`)
  // stdout carries the reports; the service's JSON log goes to stderr (the variant's log file).
  const logger = createLogger({ service: `bench-${variant.name}`, version: '0.0.0', destination: process.stderr })
  const registry = createMetricsRegistry(`bench-${variant.name}`)
  const kafka = createKafkaClient({ brokers: config.brokers, clientId: `bench-${variant.name}`, logger })
  const pool = new pg.Pool({ connectionString: config.databaseUrl, max: 10 })
  // Created before the clock starts, so that the ledger can be counted from the first poll.
  await createPostgresLedger(pool).migrate()

  const began = performance.now()
  const seconds = (at: number): number => (at - began) / 1000
  const consumer = await runConsumer<T>(
    {
      group: config.group,
      topics: [config.topic],
      decode: variant.decode,
      handler: variant.handler,
      batchHandler: variant.batchHandler,
      effect: 'postgres',
      retrySchedule: benchRetrySchedule,
      handlerTimeoutMs: 30_000,
      partitionsConsumedConcurrently: 6,
    },
    { kafka, logger, registry, pool },
  )
  const watch = await waitForLedgerRows(pool, {
    target: config.records,
    processed: processedCounter(registry),
    onProgress: (rows) => writeChildReport({ type: 'progress', records: rows, seconds: seconds(performance.now()) }),
    progressEveryMs,
  })
  writeChildReport({
    type: 'done',
    records: watch.rows,
    seconds: seconds(watch.at),
    firstRecordSeconds: watch.firstAt === undefined ? null : seconds(watch.firstAt),
    rssMb: readPeakRssMb(process.pid) ?? null,
  })
  // Shutting down is not measured; one that hangs does not hold the run up.
  setTimeout(() => process.exit(0), 45_000).unref()
  await consumer.close()
  await pool.end()
}

/** Reads `webhooks_consumer_messages_total{outcome="processed"}`; 0 if the runtime no longer has it. */
function processedCounter(registry: ReturnType<typeof createMetricsRegistry>): () => Promise<number> {
  const metric = registry.getSingleMetric('webhooks_consumer_messages_total')
  if (!metric) process.stderr.write('webhooks_consumer_messages_total not found: the end is seen by counting the ledger only\n')
  return async () => {
    if (!metric) return 0
    const { values } = await metric.get()
    return values.reduce((sum, v) => (v.labels.outcome === 'processed' ? sum + v.value : sum), 0)
  }
}
