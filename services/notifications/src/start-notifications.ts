import { SchemaRegistry } from '@kafkajs/confluent-schema-registry'
import { connectionSecurity, createKafkaClient, ensureGroupTopics, runConsumer } from '@nudj-webhooks/kafka'
import { createMetricsRegistry, startOpsServer } from '@nudj-webhooks/observability'
import { createPool, migrate } from '@nudj-webhooks/postgres'
import type { FastifyInstance } from 'fastify'
import type { Logger } from 'pino'
import { buildApp } from './app.ts'
import type { NotificationsConfig } from './config.ts'
import { createBurstDetector } from './create-burst-detector.ts'
import { createChatOutbox } from './create-chat-outbox.ts'
import { createChatSender } from './create-chat-sender.ts'
import { createConsumer } from './create-consumer.ts'
import { createInbox, notifyChannel, parseNotifyPayload } from './create-inbox.ts'
import { createListener } from './create-listener.ts'
import { createNotificationsMetrics } from './create-notifications-metrics.ts'
import { createStreamCaps } from './create-stream-caps.ts'
import { createStreamHub } from './create-stream-hub.ts'
import { createTokenRevocations } from './create-token-revocations.ts'
import { migrations } from './migrations.ts'
import { createRuleIndex } from './rules.ts'
import { createTokenKeyring } from './user-token.ts'

export type RunningNotifications = {
  app: FastifyInstance
  address: string
  opsAddress: string
  close: () => Promise<void>
}

/** Postgres (migrated), LISTEN, the consumer group, the ops server and the public listener. */
export async function startNotifications(config: NotificationsConfig, logger: Logger): Promise<RunningNotifications> {
  const security = connectionSecurity(config, (message) => logger.warn(message)) // throws before anything connects
  const registry = createMetricsRegistry('notifications')
  const pool = createPool({
    url: config.DATABASE_URL,
    applicationName: 'notifications',
    max: config.NOTIFICATIONS_DB_POOL_SIZE,
    statementTimeoutMs: config.statementTimeoutMs,
    logger,
  })
  await migrate(pool, 'notifications', migrations, logger)
  const inbox = createInbox(pool)

  let hubCount = (): number => 0
  const metrics = createNotificationsMetrics(registry, () => hubCount())
  const hub = createStreamHub({ inbox, logger, onSent: () => metrics.delivered.inc({ channel: 'sse' }) })
  hubCount = hub.count
  const revocations = createTokenRevocations(pool, notifyChannel)
  const listener = await createListener({
    databaseUrl: config.DATABASE_URL,
    channel: notifyChannel,
    logger,
    onNotify: (payload) => {
      const parsed = parseNotifyPayload(payload)
      if (!parsed) logger.warn({ payload: payload.slice(0, 100) }, 'unexpected NOTIFY payload')
      else if ('revoked' in parsed) hub.revoke(parsed.revoked.userId, parsed.revoked.notBefore)
      else if ('notification' in parsed) hub.deliver(parsed.notification)
      else hub.notify(parsed.userId, parsed.id)
    },
    onListening: hub.resyncAll,
  })

  const kafka = createKafkaClient({ brokers: config.brokers, clientId: config.KAFKA_CLIENT_ID, logger, security: security.kafka })
  const group = config.CONSUMER_GROUP
  const { topics } = config
  const ensured = await ensureGroupTopics(kafka, {
    group,
    topics,
    retrySchedule: config.retrySchedule,
    partitions: config.KAFKA_TOPIC_PARTITIONS,
    replicationFactor: config.KAFKA_REPLICATION_FACTOR,
    retentionHours: config.KAFKA_TOPIC_RETENTION_HOURS,
  })
  logger.info(ensured, 'topics ready')

  const rulesFor = createRuleIndex(config.rules)
  const chat = createChatOutbox({
    pool,
    send: config.chatWebhookUrl ? createChatSender({ url: config.chatWebhookUrl, timeoutMs: config.chatTimeoutMs, metrics }) : undefined,
    retrySchedule: config.retrySchedule,
    intervalMs: config.chatOutboxIntervalMs,
    // A claim outlives the post (its timeout) by a margin; a replica that died mid-post frees it then.
    claimMs: config.chatTimeoutMs + 30_000,
    metrics,
    logger,
  })
  const burst = createBurstDetector({
    threshold: config.NOTIFICATIONS_BURST_THRESHOLD,
    windowMs: config.burstWindowMs,
    chat,
    onAlert: () => metrics.created.inc({ rule: 'reward-delivery-failed-burst' }),
  })
  const schemaRegistry = new SchemaRegistry({ host: config.SCHEMA_REGISTRY_URL, auth: security.registryAuth })
  const definition = createConsumer(
    { schemaRegistry, rulesFor, inbox, chat, burst, metrics },
    {
      group,
      topics,
      retrySchedule: config.retrySchedule,
      handlerTimeoutMs: config.handlerTimeoutMs,
      sessionTimeoutMs: config.sessionTimeoutMs,
      // Every partition of every topic at once: a fetch brings batches for most of them, each
      // batch waits on Postgres round trips, and six at a time made a 200/s load wait in line.
      // Each batch holds a connection for its transaction: leave a few for the streams and the inbox API.
      partitionsConsumedConcurrently: Math.max(
        1,
        Math.min(topics.length * config.KAFKA_TOPIC_PARTITIONS, config.NOTIFICATIONS_DB_POOL_SIZE - 4),
      ),
    },
  )
  const consumer = await runConsumer(definition, { kafka, logger, registry, pool })

  const ops = await startOpsServer({
    host: config.NOTIFICATIONS_OPS_HOST,
    port: config.NOTIFICATIONS_OPS_PORT,
    registry,
    logger,
    readiness: [
      { name: 'consumer', check: async () => consumer.isReady() },
      { name: 'postgres', check: async () => (await pool.query('SELECT 1')).rowCount === 1 },
      { name: 'listen', check: async () => listener.isListening() },
    ],
  })
  const app = buildApp({
    inbox,
    hub,
    caps: createStreamCaps({
      total: config.NOTIFICATIONS_MAX_STREAMS,
      perUser: config.NOTIFICATIONS_MAX_STREAMS_PER_USER,
      perAddress: config.NOTIFICATIONS_MAX_STREAMS_PER_ADDRESS,
    }),
    keyring: createTokenKeyring(config.tokenSecret, config.previousTokenSecrets),
    revocations,
    heartbeatMs: config.heartbeatMs,
    trustProxy: config.trustedProxies,
    logger,
  })
  const address = await app.listen({ host: config.NOTIFICATIONS_HOST, port: config.NOTIFICATIONS_PORT })
  logger.info(
    { address, group, rules: config.rules.map((r) => r.id), chat: config.chatWebhookUrl !== undefined },
    'notifications listening',
  )

  return {
    app,
    address,
    opsAddress: ops.url,
    async close() {
      // Open streams end first (clients reconnect elsewhere with Last-Event-ID), then the rest.
      for (const stream of hub.streams()) stream.end()
      await app.close()
      await consumer.close()
      await chat.close()
      await listener.close()
      await ops.close()
      await pool.end()
    },
  }
}
