import { Type } from '@sinclair/typebox'
import { durationPattern } from './parse-duration.ts'

/** A duration variable (`30s`, `10m`) with its default. */
export const durationVar = (fallback: string, description: string) =>
  Type.String({ pattern: durationPattern, default: fallback, description })

/** A comma-separated list of durations, as retry schedules are given (`10s,1m,10m`). */
export const durationListPattern = `^${durationPattern.slice(1, -1)}(,${durationPattern.slice(1, -1)})*$`

/**
 * The variables every service reads the same way (Kafka, the schema registry, logging,
 * shutdown), spread into each service's schema so that the four cannot drift apart.
 */
export function sharedServiceEnv(service: string) {
  return {
    KAFKA_BROKERS: Type.String({ minLength: 1, description: 'comma-separated host:port list' }),
    KAFKA_CLIENT_ID: Type.String({ default: `nudj-webhooks-${service}`, description: 'kafkajs client id' }),
    KAFKA_TOPIC_PREFIX: Type.String({ default: 'nudj.webhooks', description: 'category topics are <prefix>.<category>' }),
    KAFKA_TOPIC_PARTITIONS: Type.Integer({ minimum: 1, default: 6, description: 'partitions of topics created at startup' }),
    KAFKA_REPLICATION_FACTOR: Type.Integer({
      minimum: 1,
      default: 1,
      description: 'replication of topics created at startup (3 in production)',
    }),
    KAFKA_TOPIC_RETENTION_HOURS: Type.Integer({
      minimum: -1,
      default: 720,
      description: 'retention of topics created at startup (DLQs keep four times as long); -1 keeps forever',
    }),
    // writeOnly: the URL may carry basic-auth credentials, so no config error quotes it.
    SCHEMA_REGISTRY_URL: Type.String({ minLength: 1, writeOnly: true, description: 'Confluent-compatible registry API root' }),
    LOG_LEVEL: Type.Union(
      ['fatal', 'error', 'warn', 'info', 'debug', 'trace'].map((l) => Type.Literal(l)),
      { default: 'info', description: 'pino level' },
    ),
    SHUTDOWN_TIMEOUT: durationVar('25s', 'longest graceful shutdown before exiting anyway'),
  }
}

/** A consumer service's group, which also names its retry and dead-letter topics. */
export function consumerGroupEnv(group: string) {
  return {
    CONSUMER_GROUP: Type.String({ minLength: 1, default: group, description: 'consumer group (and prefix of its retry and DLQ topics)' }),
  }
}
