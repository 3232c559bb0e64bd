import { dlqTopicName, ensureTopics, retryTopicName } from '@nudj-webhooks/kafka'
import { createFreshDatabase } from '@nudj-webhooks/testing'
import type { Kafka } from 'kafkajs'
import pg from 'pg'
import { countBenchRows } from './count-bench-rows.ts'
import { countTopicRecords } from './count-topic-records.ts'
import type { ConsumerFigures } from './format-consumer-results.ts'
import { benchRetrySchedule } from './run-runtime-variant.ts'
import { runNodeVariant } from './run-node-variant.ts'
import type { NodeVariantSpec } from './run-node-variant.ts'
import { createProjectionTable } from './write-projection.ts'

export type RuntimeMeasureOptions = Omit<NodeVariantSpec, 'name'> & {
  name: 'runtime-noop' | 'runtime-postgres'
  kafka: Kafka
  group: string
  /** Administrative URL; the variant gets a database of its own, dropped afterwards. */
  databaseUrl: string
  records: number
}

/**
 * Runs a runtime variant with its own database and group topics (retry tier, DLQ), then checks
 * what it left: the ledger holds the records, nothing went to retry or the DLQ, and for
 * runtime-postgres the projection has one row per ledger row.
 */
export async function measureRuntimeVariant(options: RuntimeMeasureOptions): Promise<ConsumerFigures> {
  const { name, kafka, group, say } = options
  const groupTopics = [...benchRetrySchedule.map((delay) => retryTopicName(group, delay)), dlqTopicName(group)]
  const withProjection = name === 'runtime-postgres'
  const database = await createFreshDatabase(options.databaseUrl, 'bench_consumer')
  const admin = kafka.admin()
  const db = new pg.Client({ connectionString: database.url })
  try {
    await admin.connect()
    await db.connect()
    await ensureTopics(
      admin,
      groupTopics.map((topic) => ({ topic, partitions: 1, replicationFactor: 1 })),
    )
    if (withProjection) await createProjectionTable(db)
    say(`${name}: database ${database.name}, group ${group}`)
    const figures = await runNodeVariant({ ...options, args: [...options.args, '--database-url', database.url] })
    if (figures.status !== 'ok') return figures

    const rows = await countBenchRows(db, { projection: withProjection })
    let moved = 0
    for (const topic of groupTopics) moved += (await countTopicRecords(admin, topic)).records
    const problems = [
      rows.ledger < options.records ? `the ledger holds ${rows.ledger} rows, not ${options.records}` : '',
      withProjection && rows.projection !== rows.ledger ? `the projection holds ${rows.projection} rows, the ledger ${rows.ledger}` : '',
      moved > 0 ? `${moved} records went to the retry or dead-letter topic` : '',
    ].filter((p) => p !== '')
    say(
      `${name}: ledger ${rows.ledger} rows${withProjection ? `, projection ${rows.projection} rows` : ''}, ${moved} retried or dead-lettered`,
    )
    return {
      ...figures,
      ...(withProjection && { projection_rows: rows.projection }),
      ...(problems.length > 0 && { status: 'failed', error: problems.join('; ') }),
    }
  } finally {
    await db.end().catch(() => undefined)
    await admin.deleteTopics({ topics: groupTopics }).catch(() => undefined)
    await admin.disconnect()
    await database.drop()
  }
}
