import { Type } from '@sinclair/typebox'
import { durationPattern } from './parse-duration.ts'
import { secretEnv } from './read-secret.ts'

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
    ...connectionSecurityEnv().properties,
    LOG_LEVEL: Type.Union(
      ['fatal', 'error', 'warn', 'info', 'debug', 'trace'].map((l) => Type.Literal(l)),
      { default: 'info', description: 'pino level' },
    ),
    SHUTDOWN_TIMEOUT: durationVar('25s', 'longest graceful shutdown before exiting anyway'),
  }
}

/**
 * TLS and SASL to the brokers and basic auth to the registry (docs/kafka-security.md), part
 * of sharedServiceEnv; also read alone by the ops CLI. Checked together, and the files and
 * secrets read, by connectionSecurity (@nudj-webhooks/kafka).
 */
export function connectionSecurityEnv() {
  return Type.Object({
    KAFKA_SSL: Type.Boolean({ default: false, description: 'connect to the brokers over TLS (certificates verified)' }),
    KAFKA_SSL_CA_FILE: Type.Optional(
      Type.String({ description: "PEM file of the CA(s) of the brokers' certificates (default: system CAs)" }),
    ),
    KAFKA_SSL_CERT_FILE: Type.Optional(Type.String({ description: 'PEM client certificate for mutual TLS (with KAFKA_SSL_KEY_FILE)' })),
    KAFKA_SSL_KEY_FILE: Type.Optional(Type.String({ description: 'PEM private key of KAFKA_SSL_CERT_FILE (unencrypted)' })),
    KAFKA_SASL_MECHANISM: Type.Union(
      [Type.Literal('none'), Type.Literal('plain'), Type.Literal('scram-sha-256'), Type.Literal('scram-sha-512')],
      { default: 'none', description: 'SASL mechanism; plain needs KAFKA_SSL unless every broker is on loopback' },
    ),
    KAFKA_SASL_USERNAME: Type.Optional(Type.String({ description: 'SASL user (required with a mechanism)' })),
    ...secretEnv('KAFKA_SASL_PASSWORD', 'SASL password (at least 16 bytes; required with a mechanism)'),
    SCHEMA_REGISTRY_USERNAME: Type.Optional(Type.String({ description: 'basic-auth user of the registry' })),
    ...secretEnv('SCHEMA_REGISTRY_PASSWORD', 'basic-auth password of the registry (at least 16 bytes; https unless on loopback)'),
  })
}

/** A consumer service's group, which also names its retry and dead-letter topics. */
export function consumerGroupEnv(group: string) {
  return {
    CONSUMER_GROUP: Type.String({ minLength: 1, default: group, description: 'consumer group (and prefix of its retry and DLQ topics)' }),
    TOPOLOGY_FILE: Type.Optional(
      Type.String({
        minLength: 1,
        description: `the topics and consumer groups, as the ops CLI reads them: this service reads the topics and retry schedule of group '${group}'; default: the repository's (and the image's) deploy/topology.json`,
      }),
    ),
    CONSUMER_HANDLER_TIMEOUT: durationVar(
      '30s',
      "longest one record's handling (or one batch transaction) may take: its signal aborts, the transaction rolls back and the record goes to the next retry topic (HANDLER_TIMEOUT)",
    ),
    CONSUMER_SESSION_TIMEOUT: durationVar(
      '6s',
      "how long a silent instance (a killed one) keeps its partitions before the others take them over; at least the broker's group.min.session.timeout.ms (6s by default)",
    ),
    POSTGRES_STATEMENT_TIMEOUT: durationVar(
      '15s',
      "statement_timeout of the consumer's Postgres connections: the server cancels a longer statement, retried as STATEMENT_TIMEOUT (keep it below CONSUMER_HANDLER_TIMEOUT)",
    ),
  }
}
