// Shared set-up for the runtime's integration tests: a topic and group of the test's own,
// a fresh database, and a way to read what ended up in the retry and dead-letter topics.
import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { createMetricsRegistry, createLogger } from '@nudj-webhooks/observability'
import { consumeUntil, createFreshDatabase, infraToEnv, produce, uniqueName, type FreshDatabase, type Infra } from '@nudj-webhooks/testing'
import { Kafka, logLevel } from 'kafkajs'
import pg from 'pg'
import { ensureTopics } from '../src/ensure-topics.ts'
import { dlqTopicName, retryTopicName } from '../src/group-topics.ts'
import type { ConsumerDefinition } from '../src/consumer-types.ts'
import { runConsumer, type RunningConsumer } from '../src/run-consumer.ts'

export type Harness = {
  kafka: Kafka
  topic: string
  group: string
  pool: pg.Pool
  database: FreshDatabase
  registry: ReturnType<typeof createMetricsRegistry>
  send: (messages: { key: string; value: string }[]) => Promise<void>
  start: (definition: Partial<ConsumerDefinition<string>> & Pick<ConsumerDefinition<string>, 'handler'>) => Promise<RunningConsumer>
  readDlq: (count: number) => Promise<TopicRecord[]>
  /** The first `count` records of the retry tier of `delay` ms. */
  readRetry: (delay: number, count: number) => Promise<TopicRecord[]>
  /**
   * Starts a consumer process from `fixture` (a file of ./fixtures) on this topic, group and
   * database, which it reads as a consumer service does (KAFKA_BROKERS, CONSUMER_GROUP,
   * DATABASE_URL) and TEST_TOPIC; close() SIGKILLs it if it still runs.
   */
  spawnFixture: (fixture: string, env: Record<string, string>) => ChildProcess
  close: () => Promise<void>
}

export type TopicRecord = { key: string; value: string; headers: Record<string, string> }

export async function createHarness(
  infra: Infra,
  retrySchedule: number[],
  partitions = 2,
  options: { statementTimeoutMs?: number } = {},
): Promise<Harness> {
  const kafka = new Kafka({ brokers: infra.kafkaBrokers, logLevel: logLevel.NOTHING })
  const topic = uniqueName('runtime')
  const group = uniqueName('group')
  const admin = kafka.admin()
  await admin.connect()
  await ensureTopics(admin, [
    { topic, partitions, replicationFactor: 1 },
    ...retrySchedule.map((d) => ({ topic: retryTopicName(group, d), partitions, replicationFactor: 1 })),
    { topic: dlqTopicName(group), partitions: 1, replicationFactor: 1 },
  ])
  await admin.disconnect()
  const database = await createFreshDatabase(infra.databaseUrl)
  const pool = new pg.Pool({
    connectionString: database.url,
    max: 10,
    ...(options.statementTimeoutMs !== undefined && { statement_timeout: options.statementTimeoutMs }),
  })
  await pool.query('CREATE TABLE effects (webhook_id text NOT NULL, value text NOT NULL, at timestamptz NOT NULL DEFAULT now())')
  const registry = createMetricsRegistry('test')
  const running: RunningConsumer[] = []
  const children: ChildProcess[] = []
  const logger = createLogger({ service: 'test', version: 'test', level: 'silent' })
  return {
    kafka,
    topic,
    group,
    pool,
    database,
    registry,
    send: async (messages) => await produce(kafka, topic, messages),
    async start(definition) {
      const consumer = await runConsumer<string>(
        {
          group,
          topics: [topic],
          decode: (m) => m.value.toString(),
          effect: 'postgres',
          retrySchedule,
          handlerTimeoutMs: 5_000,
          partitionsConsumedConcurrently: partitions,
          ...definition,
        },
        { kafka, logger, registry, pool },
      )
      running.push(consumer)
      return consumer
    },
    readDlq: async (count) => await readTopic(kafka, dlqTopicName(group), count),
    readRetry: async (delay, count) => await readTopic(kafka, retryTopicName(group, delay), count),
    spawnFixture(fixture, env) {
      const child = spawn(process.execPath, [fileURLToPath(new URL(`./fixtures/${fixture}`, import.meta.url))], {
        env: { ...process.env, ...infraToEnv(infra), DATABASE_URL: database.url, CONSUMER_GROUP: group, TEST_TOPIC: topic, ...env },
        stdio: 'ignore',
      })
      children.push(child)
      return child
    },
    async close() {
      for (const child of children.splice(0)) child.kill('SIGKILL')
      await Promise.all(running.map(async (c) => await c.close()))
      await pool.end()
      await database.drop()
    },
  }
}

/** Rows of the effects table, as `id=value` strings, sorted. */
export async function effects(pool: pg.Pool): Promise<string[]> {
  const { rows } = await pool.query<{ webhook_id: string; value: string }>(
    'SELECT webhook_id, value FROM effects ORDER BY webhook_id, value',
  )
  return rows.map((r) => `${r.webhook_id}=${r.value}`)
}

async function readTopic(kafka: Kafka, topic: string, count: number): Promise<TopicRecord[]> {
  const records = await consumeUntil(kafka, {
    topics: [topic],
    groupId: uniqueName('reader'),
    until: (r) => r.length >= count,
    timeoutMs: 30_000,
  })
  return records.map(({ message }) => ({
    key: message.key?.toString() ?? '',
    value: message.value?.toString() ?? '',
    headers: Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)])),
  }))
}
