import { SchemaRegistry } from '@kafkajs/confluent-schema-registry'
import { connectionSecurity, createKafkaClient, loadTopology } from '@nudj-webhooks/kafka'
import { createPool } from '@nudj-webhooks/postgres'
import type { FastifyInstance } from 'fastify'
import type pg from 'pg'
import type { Logger } from 'pino'
import { buildApp } from './app.ts'
import type { ConsoleConfig } from './config.ts'
import { createRecordReader } from './create-record-reader.ts'
import { createTail } from './create-tail.ts'
import type { ConsumerService } from './read-outcomes.ts'
import { createTopicRoles } from './topic-roles.ts'

export type RunningConsole = { app: FastifyInstance; address: string; close: () => Promise<void> }

/** The topology, Kafka (an admin and the live tail), the services' databases, then the listener. */
export async function startConsole(config: ConsoleConfig, logger: Logger): Promise<RunningConsole> {
  const security = connectionSecurity(config, (message) => logger.warn(message)) // throws before anything connects
  const topology = await loadTopology(config.topologyFile)
  const roles = createTopicRoles(topology, config.KAFKA_TOPIC_PREFIX)
  const kafka = createKafkaClient({ brokers: config.brokers, clientId: config.KAFKA_CLIENT_ID, logger, security: security.kafka })
  const admin = kafka.admin()
  await admin.connect()
  const reader = createRecordReader(new SchemaRegistry({ host: config.SCHEMA_REGISTRY_URL, auth: security.registryAuth }), roles)
  const pools: Partial<Record<ConsumerService, pg.Pool>> = {}
  const urls = {
    analytics: config.CONSOLE_ANALYTICS_DATABASE_URL,
    email: config.CONSOLE_EMAIL_DATABASE_URL,
    notifications: config.CONSOLE_NOTIFICATIONS_DATABASE_URL,
  }
  for (const [service, url] of Object.entries(urls) as [ConsumerService, string | undefined][]) {
    if (url) pools[service] = createPool({ url, applicationName: 'console', max: 2, statementTimeoutMs: 5_000, logger })
  }
  const tail = await createTail({ kafka, admin, topics: roles.all, reader, size: config.CONSOLE_TAIL_SIZE, logger })
  const app = buildApp({
    kafka,
    admin,
    topology,
    roles,
    reader,
    pools,
    limits: { maxRecords: config.CONSOLE_SCAN_MAX_RECORDS, timeoutMs: config.scanTimeoutMs },
    searchWindowMs: config.searchWindowMs,
    topicPrefix: config.KAFKA_TOPIC_PREFIX,
    metricsUrls: config.metricsUrls,
    tail,
    token: config.token,
    actor: config.CONSOLE_ACTOR,
    maxRedriveRate: config.CONSOLE_REDRIVE_MAX_RATE,
    maxStreams: config.CONSOLE_MAX_STREAMS,
    maxScans: config.CONSOLE_MAX_SCANS,
    logger,
  })
  const address = await app.listen({ host: config.CONSOLE_HOST, port: config.CONSOLE_PORT })
  logger.info({ address, groups: topology.groups.map((g) => g.name) }, 'console listening')
  return {
    app,
    address,
    async close() {
      // SSE responses are hijacked: closeAllConnections ends them so that close() does not wait on them.
      app.server.closeAllConnections()
      await app.close()
      await tail.close()
      await admin.disconnect()
      await Promise.all(Object.values(pools).map(async (pool) => await pool.end()))
    },
  }
}
