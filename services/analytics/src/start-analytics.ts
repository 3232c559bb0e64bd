import { SchemaRegistry } from '@kafkajs/confluent-schema-registry'
import {
  connectionSecurity,
  createKafkaClient,
  ensureGroupTopics,
  runConsumer,
  type ConnectionSecurity,
  type RunningConsumer,
} from '@nudj-webhooks/kafka'
import { createMetricsRegistry, startOpsServer } from '@nudj-webhooks/observability'
import { createPool, migrate } from '@nudj-webhooks/postgres'
import type { FastifyInstance } from 'fastify'
import type pg from 'pg'
import type { Logger } from 'pino'
import type { Registry } from 'prom-client'
import { buildApp } from './app.ts'
import type { AnalyticsConfig } from './config.ts'
import { createAnalyticsMetrics } from './create-analytics-metrics.ts'
import { createConsumer } from './create-consumer.ts'
import { migrations } from './migrations.ts'
import { openApiDocument } from './openapi.ts'

export type RunningAnalytics = {
  app: FastifyInstance
  /** The query API, e.g. http://127.0.0.1:8091 */
  address: string
  /** The ops listener (/metrics, /livez, /readyz). */
  opsAddress: string
  /** The projector's pool (the query API has its own). */
  pool: pg.Pool
  registry: Registry
  /** Stops the API, lets the batch in hand commit, leaves the group, closes both pools. */
  close: () => Promise<void>
}

/** Migrates, starts the projector (every category topic) and both listeners. */
export async function startAnalytics(config: AnalyticsConfig, logger: Logger): Promise<RunningAnalytics> {
  const security = connectionSecurity(config, (message) => logger.warn(message)) // throws before anything connects
  const registry = createMetricsRegistry('analytics')
  // Every statement of a batch is bounded (a cancelled one is retried as STATEMENT_TIMEOUT);
  // migrations lift the bound for themselves.
  const pool = createPool({
    url: config.databaseUrl,
    applicationName: 'analytics',
    max: config.ANALYTICS_DB_POOL_SIZE,
    statementTimeoutMs: config.statementTimeoutMs,
    logger,
  })
  await migrate(pool, 'analytics', migrations, logger)

  const kafka = createKafkaClient({ brokers: config.brokers, clientId: config.KAFKA_CLIENT_ID, logger, security: security.kafka })
  const { consumer } = await startProjector(config, { kafka, pool, registry, logger, security })

  const ops = await startOpsServer({
    host: config.ANALYTICS_OPS_HOST,
    port: config.ANALYTICS_OPS_PORT,
    registry,
    logger,
    readiness: [
      { name: 'consumer', check: async () => consumer.isReady() },
      { name: 'postgres', check: async () => (await pool.query('SELECT 1')).rowCount === 1 },
    ],
    documents: { '/openapi.json': openApiDocument },
  })
  // A pool of its own, so that the timeout bounds the API's queries only (never a batch or a
  // migration), and a burst of slow queries cannot take the projector's connections.
  const apiPool = createPool({
    url: config.databaseUrl,
    applicationName: 'analytics-api',
    max: config.ANALYTICS_API_DB_POOL_SIZE,
    statementTimeoutMs: config.queryTimeoutMs,
    logger,
  })
  const app = buildApp({ pool: apiPool, logger, apiTokens: config.apiTokens })
  const address = await app.listen({ host: config.ANALYTICS_HOST, port: config.ANALYTICS_PORT })
  logger.info({ address, group: config.CONSUMER_GROUP, apiTokens: config.apiTokens.length }, 'analytics listening')
  if (config.apiTokens.length === 0) logger.warn('no ANALYTICS_API_TOKENS: the query API refuses every request (403)')

  return {
    app,
    address,
    opsAddress: ops.url,
    pool,
    registry,
    async close() {
      await app.close()
      await consumer.close()
      await ops.close()
      await apiPool.end()
      await pool.end()
    },
  }
}

/** Creates the group's topics if missing and runs the projector; shared by the service and the rebuild. */
export async function startProjector(
  config: AnalyticsConfig,
  deps: { kafka: ReturnType<typeof createKafkaClient>; pool: pg.Pool; registry: Registry; logger: Logger; security: ConnectionSecurity },
): Promise<{ consumer: RunningConsumer; topics: string[] }> {
  const group = config.CONSUMER_GROUP
  const { topics } = config
  const ensured = await ensureGroupTopics(deps.kafka, {
    group,
    topics,
    retrySchedule: config.retrySchedule,
    partitions: config.KAFKA_TOPIC_PARTITIONS,
    replicationFactor: config.KAFKA_REPLICATION_FACTOR,
    retentionHours: config.KAFKA_TOPIC_RETENTION_HOURS,
  })
  deps.logger.info(ensured, 'topics ready')
  const schemaRegistry = new SchemaRegistry({ host: config.SCHEMA_REGISTRY_URL, auth: deps.security.registryAuth })
  const definition = createConsumer(
    { schemaRegistry, metrics: createAnalyticsMetrics(deps.registry) },
    {
      group,
      topics,
      retrySchedule: config.retrySchedule,
      handlerTimeoutMs: config.handlerTimeoutMs,
      sessionTimeoutMs: config.sessionTimeoutMs,
      partitionsConsumedConcurrently: config.ANALYTICS_PARTITIONS_CONCURRENTLY,
    },
  )
  const consumer = await runConsumer(definition, {
    kafka: deps.kafka,
    logger: deps.logger,
    registry: deps.registry,
    pool: deps.pool,
  })
  return { consumer, topics }
}
