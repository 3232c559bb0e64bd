import { SchemaRegistry } from '@kafkajs/confluent-schema-registry'
import { allCategoryTopics, createEnvelopeCodec, createRejectionCodec, rejectedTopic, topicForCategory } from '@nudj-webhooks/contracts'
import { ConfigError } from '@nudj-webhooks/config'
import {
  connectionSecurity,
  createBatchingProducer,
  createKafkaClient,
  ensureTopics,
  fetchMaxMessageBytes,
  kafkajsProducerDriver,
  platformaticProducerDriver,
} from '@nudj-webhooks/kafka'
import { createMetricsRegistry, startOpsServer } from '@nudj-webhooks/observability'
import type { FastifyInstance } from 'fastify'
import type { Logger } from 'pino'
import { buildApp } from './app.ts'
import { checkMessageLimits } from './check-message-limits.ts'
import type { IngestConfig } from './config.ts'
import { createIngestMetrics } from './create-ingest-metrics.ts'
import { createLoadShedder } from './create-load-shedder.ts'
import { createPublisher } from './create-publisher.ts'
import { createRejectionAuditor } from './create-rejection-auditor.ts'
import { openApiDocument } from './openapi.ts'
import { readTlsOptions, watchTlsFiles } from './tls-options.ts'

export type RunningIngest = {
  app: FastifyInstance
  /** The public listener, e.g. http://127.0.0.1:8080 */
  address: string
  /** The ops listener (/metrics, /livez, /readyz, /openapi.json). */
  opsAddress: string
  /** Stops accepting, answers every in-flight request, flushes the producer, disconnects. */
  close: () => Promise<void>
}

/** Connects to Kafka and the registry, creates missing topics, and starts both listeners. */
export async function startIngest(config: IngestConfig, logger: Logger): Promise<RunningIngest> {
  const security = connectionSecurity(config, (message) => logger.warn(message)) // throws before anything connects
  const registry = createMetricsRegistry('ingest')
  const metrics = createIngestMetrics(registry)

  const kafka = createKafkaClient({ brokers: config.brokers, clientId: config.KAFKA_CLIENT_ID, logger, security: security.kafka })
  const admin = kafka.admin()
  await admin.connect()
  const retentionMs = config.KAFKA_TOPIC_RETENTION_HOURS === -1 ? '-1' : String(config.KAFKA_TOPIC_RETENTION_HOURS * 3_600_000)
  const auditTopic = rejectedTopic(config.KAFKA_TOPIC_PREFIX)
  const categoryTopics = allCategoryTopics(config.KAFKA_TOPIC_PREFIX)
  const ensured = await ensureTopics(
    admin,
    [...categoryTopics, auditTopic].map((topic) => ({
      topic,
      partitions: config.KAFKA_TOPIC_PARTITIONS,
      replicationFactor: config.KAFKA_REPLICATION_FACTOR,
      config: { 'retention.ms': retentionMs },
    })),
  )
  logger.info(ensured, 'topics ready')

  const limitProblems = checkMessageLimits(await fetchMaxMessageBytes(admin, [...categoryTopics, auditTopic]), {
    bodyLimitBytes: config.INGEST_BODY_LIMIT_BYTES,
    maxBatchBytes: config.KAFKA_MAX_BATCH_BYTES,
  })
  if (limitProblems.length > 0) throw new ConfigError(limitProblems)

  const producer = await createBatchingProducer(
    config.KAFKA_PRODUCER_DRIVER === 'platformatic'
      ? platformaticProducerDriver({ brokers: config.brokers, clientId: config.KAFKA_CLIENT_ID, security: security.kafka })
      : kafkajsProducerDriver(kafka),
    {
      lingerMs: config.lingerMs,
      maxBatchRecords: config.KAFKA_MAX_BATCH_RECORDS,
      maxBatchBytes: config.KAFKA_MAX_BATCH_BYTES,
      maxPendingRecords: config.INGEST_MAX_PENDING_RECORDS,
      maxPendingBytes: config.INGEST_MAX_PENDING_BYTES,
      compression: config.KAFKA_COMPRESSION,
      stallMs: config.produceStallMs,
      onBatch: ({ records }) => metrics.batchRecords.observe(records),
      onReplace: ({ code, message }) => {
        metrics.producerReplacements.inc({ reason: code })
        logger.error({ code, reason: message }, 'replacing the Kafka producer: ingest is unready until it connects')
      },
    },
  )
  logger.info({ driver: config.KAFKA_PRODUCER_DRIVER }, 'kafka producer connected')

  const schemaRegistry = new SchemaRegistry({ host: config.SCHEMA_REGISTRY_URL, auth: security.registryAuth })
  const envelopes = createEnvelopeCodec(schemaRegistry)
  const rejections = createRejectionCodec(schemaRegistry)
  // Registering every subject at startup fails fast on a registry that refuses our schemas.
  await Promise.all([...categoryTopics.map(envelopes.register), rejections.register(auditTopic)])

  const shedder = createLoadShedder({
    maxEventLoopDelayMs: config.maxEventLoopDelayMs,
    maxPending: config.INGEST_MAX_PENDING_RECORDS,
    pending: producer.pending,
  })
  let closing = false
  const app = buildApp({
    sources: config.sources,
    defaultSource: config.defaultSource,
    publish: createPublisher(envelopes.encode, producer, config.produceTimeoutMs, metrics),
    recordRejection: createRejectionAuditor(
      async (key, rejection) => await producer.send({ topic: auditTopic, key, value: await rejections.encode(auditTopic, rejection) }),
      config.INGEST_AUDIT_PER_SECOND,
      new Set(config.sources.keys()),
      metrics,
      logger,
    ),
    topicFor: (category) => topicForCategory(category, config.KAFKA_TOPIC_PREFIX),
    shedReason: () => shedder.reason(),
    isClosing: () => closing,
    metrics,
    logger,
    bodyLimitBytes: config.INGEST_BODY_LIMIT_BYTES,
    requestTimeoutMs: config.requestTimeoutMs,
    retryAfterSeconds: config.INGEST_RETRY_AFTER_SECONDS,
    rateLimitPerSource: config.INGEST_RATE_LIMIT_PER_SOURCE,
    rateLimitPerAddress: config.INGEST_RATE_LIMIT_PER_ADDRESS,
    authFailuresPerAddress: config.INGEST_AUTH_FAILURES_PER_ADDRESS,
    trustedProxies: config.trustedProxies,
    replayToleranceMs: config.replayToleranceMs,
    replayWindowEntries: config.INGEST_REPLAY_WINDOW_ENTRIES,
    hsts: config.tls !== undefined,
    https: config.tls ? readTlsOptions(config.tls) : undefined,
  })
  const stopWatchingTls = config.tls
    ? watchTlsFiles(
        config.tls,
        (options) => {
          ;(app.server as unknown as { setSecureContext: (o: unknown) => void }).setSecureContext(options)
          logger.info('TLS certificate reloaded')
        },
        (err) => logger.warn({ err }, 'could not reload the TLS certificate; keeping the current one'),
      )
    : () => undefined

  const ops = await startOpsServer({
    host: config.INGEST_OPS_HOST,
    port: config.INGEST_OPS_PORT,
    registry,
    logger,
    readiness: [
      { name: 'kafka-producer', check: async () => producer.unready() === undefined },
      { name: 'schema-registry', check: async () => (await schemaRegistry.getLatestSchemaId(`${auditTopic}-value`)) > 0 },
    ],
    documents: { '/openapi.json': openApiDocument },
  })
  const address = await app.listen({ host: config.INGEST_HOST, port: config.INGEST_PORT })
  logger.info({ address, sources: [...config.sources.keys()], tls: config.tls !== undefined }, 'ingest listening')

  return {
    app,
    address,
    opsAddress: ops.url,
    async close() {
      closing = true
      stopWatchingTls()
      // Fastify stops accepting and waits for in-flight requests, which wait for Kafka.
      await app.close()
      await producer.close()
      await Promise.all([admin.disconnect(), ops.close()])
      shedder.close()
    },
  }
}
