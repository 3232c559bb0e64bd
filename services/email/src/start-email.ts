import { SchemaRegistry } from '@kafkajs/confluent-schema-registry'
import { connectionSecurity, createKafkaClient, ensureGroupTopics, runConsumer } from '@nudj-webhooks/kafka'
import { createMetricsRegistry, startOpsServer } from '@nudj-webhooks/observability'
import { createPool, migrate } from '@nudj-webhooks/postgres'
import type { Logger } from 'pino'
import { buildApp } from './app.ts'
import type { EmailConfig } from './config.ts'
import { createConsumer } from './create-consumer.ts'
import { createContacts } from './create-contacts.ts'
import { createEmailMetrics } from './create-email-metrics.ts'
import { createMailer } from './create-mailer.ts'
import { createRateLimiter } from './create-rate-limiter.ts'
import { createSendEmail } from './create-send-email.ts'
import { createSendLedger } from './create-send-ledger.ts'
import { createSuppressions } from './create-suppressions.ts'
import { countWaitingSends, createWaitingSends } from './create-waiting-sends.ts'
import { migrations } from './migrations.ts'

export type RunningEmail = {
  /** The public listener (suppression API). */
  address: string
  /** The ops listener (/metrics, /livez, /readyz). */
  opsAddress: string
  close: () => Promise<void>
}

/** Connects to Postgres, Kafka, the registry and SMTP, then consumes until closed. */
export async function startEmail(config: EmailConfig, logger: Logger): Promise<RunningEmail> {
  const security = connectionSecurity(config, (message) => logger.warn(message)) // throws before anything connects
  const registry = createMetricsRegistry('email')
  // Each send in flight (consumer batches and the waiting loop) holds a connection for its claim's lock.
  const max = 10 + 2 * config.EMAIL_SMTP_POOL_SIZE
  const pool = createPool({
    url: config.DATABASE_URL,
    applicationName: 'email',
    logger,
    max,
    statementTimeoutMs: config.statementTimeoutMs,
  })
  const metrics = createEmailMetrics(registry, async () => await countWaitingSends(pool, config.CONSUMER_GROUP))
  await migrate(pool, 'email', migrations, logger)

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

  const mailer = createMailer({
    url: config.SMTP_URL,
    pool: true,
    poolSize: config.EMAIL_SMTP_POOL_SIZE,
    timeoutMs: config.smtpTimeoutMs,
    requireTls: config.SMTP_REQUIRE_TLS,
    rejectUnauthorized: config.SMTP_TLS_REJECT_UNAUTHORIZED,
    servername: config.SMTP_TLS_SERVERNAME,
  })
  const contacts = createContacts(pool, { cacheSize: config.EMAIL_CONTACT_CACHE_SIZE, ttlMs: config.contactCacheTtlMs })
  const suppressions = createSuppressions(pool)
  // A claim's lock outlives the handler's timeout by a margin (ADR 0004).
  const ledger = createSendLedger(pool, { holdMs: config.handlerTimeoutMs + 5_000 })
  const send = createSendEmail({
    group,
    suppressions,
    ledger,
    mailer,
    limiter: createRateLimiter(config.EMAIL_MAX_PER_SECOND),
    metrics,
    from: config.EMAIL_FROM,
    messageIdDomain: config.EMAIL_MESSAGE_ID_DOMAIN,
    defaultLocale: config.EMAIL_DEFAULT_LOCALE,
    unsubscribe: { mailto: config.EMAIL_LIST_UNSUBSCRIBE_MAILTO, url: config.EMAIL_LIST_UNSUBSCRIBE_URL },
  })
  const waiting = createWaitingSends({
    pool,
    group,
    waitMs: config.recipientWaitMs,
    // Ends of waits, retries and lost claims are noticed within this; releases are sent at once.
    pollMs: 1000,
    claimMs: config.handlerTimeoutMs,
    concurrency: config.EMAIL_SMTP_POOL_SIZE,
    retrySchedule: config.retrySchedule,
    contacts,
    ledger,
    send,
    metrics,
    logger,
  })
  const schemaRegistry = new SchemaRegistry({ host: config.SCHEMA_REGISTRY_URL, auth: security.registryAuth })
  const probe = async (): Promise<boolean> =>
    (await mailer.verify()) &&
    (await pool.query('SELECT 1').then(
      () => true,
      () => false,
    ))
  const definition = createConsumer(
    { schemaRegistry, probe, group, routes: config.routes, contacts, ledger, waiting, send, metrics },
    {
      group,
      topics,
      retrySchedule: config.retrySchedule,
      handlerTimeoutMs: config.handlerTimeoutMs,
      sessionTimeoutMs: config.sessionTimeoutMs,
      partitionsConsumedConcurrently: Math.max(1, config.EMAIL_SMTP_POOL_SIZE),
    },
  )
  const consumer = await runConsumer(definition, { kafka, logger, registry, pool })

  const ops = await startOpsServer({
    host: config.EMAIL_OPS_HOST,
    port: config.EMAIL_OPS_PORT,
    registry,
    logger,
    readiness: [
      { name: 'consumer', check: async () => consumer.isReady() },
      { name: 'postgres', check: async () => await pool.query('SELECT 1').then(() => true) },
    ],
  })
  const app = buildApp({ suppressions, adminToken: config.adminToken, requestTimeoutMs: config.requestTimeoutMs })
  const address = await app.listen({ host: config.EMAIL_HOST, port: config.EMAIL_PORT })
  if (!config.adminToken) logger.warn('no EMAIL_ADMIN_TOKEN: the suppression API refuses every request')
  logger.info({ address, group, routes: [...config.routes.values()].filter((r) => r.enabled).map((r) => r.event) }, 'email service running')

  return {
    address,
    opsAddress: ops.url,
    async close() {
      await app.close()
      await consumer.close()
      await waiting.close()
      await ledger.close() // a send's held connection, or pool.end() waits for it
      await mailer.close()
      await ops.close()
      await pool.end()
    },
  }
}
