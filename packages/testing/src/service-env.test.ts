import { describe, expect, it } from 'vitest'
import type { Infra } from './infra.ts'
import { serviceEnv } from './service-env.ts'

const infra: Infra = {
  kafkaBrokers: ['127.0.0.1:19092', '127.0.0.1:19093'],
  schemaRegistryUrl: 'http://127.0.0.1:18081/apis/ccompat/v7',
  databaseUrl: 'postgres://postgres:postgres@127.0.0.1:15432/postgres',
  smtpUrl: 'smtp://127.0.0.1:11025',
  mailApiUrl: 'http://127.0.0.1:18025',
}

describe('serviceEnv', () => {
  it("builds a consumer's environment from the infra and its own topics, group and database", () => {
    expect(
      serviceEnv('email', infra, {
        topicPrefix: 'email_test_1',
        group: 'email_1',
        databaseUrl: 'postgres://postgres:postgres@127.0.0.1:15432/email_1',
        partitions: 2,
        retrySchedule: '1s,2s',
        port: 41000,
        opsPort: 41001,
      }),
    ).toEqual({
      KAFKA_BROKERS: '127.0.0.1:19092,127.0.0.1:19093',
      SCHEMA_REGISTRY_URL: 'http://127.0.0.1:18081/apis/ccompat/v7',
      DATABASE_URL: 'postgres://postgres:postgres@127.0.0.1:15432/email_1',
      SMTP_URL: 'smtp://127.0.0.1:11025',
      MAIL_API_URL: 'http://127.0.0.1:18025',
      KAFKA_TOPIC_PREFIX: 'email_test_1',
      KAFKA_TOPIC_PARTITIONS: '2',
      CONSUMER_GROUP: 'email_1',
      EMAIL_RETRY_SCHEDULE: '1s,2s',
      EMAIL_HOST: '127.0.0.1',
      EMAIL_PORT: '41000',
      EMAIL_OPS_PORT: '41001',
      LOG_LEVEL: 'warn',
    })
  })

  it("leaves what is not given to the service's defaults, ports to the system, and lets the caller's env win", () => {
    expect(serviceEnv('ingest', infra, { env: { LOG_LEVEL: 'debug', INGEST_HOST: '0.0.0.0', EXTRA: 'x' } })).toEqual({
      KAFKA_BROKERS: '127.0.0.1:19092,127.0.0.1:19093',
      SCHEMA_REGISTRY_URL: 'http://127.0.0.1:18081/apis/ccompat/v7',
      DATABASE_URL: 'postgres://postgres:postgres@127.0.0.1:15432/postgres',
      SMTP_URL: 'smtp://127.0.0.1:11025',
      MAIL_API_URL: 'http://127.0.0.1:18025',
      INGEST_HOST: '0.0.0.0',
      INGEST_PORT: '0',
      INGEST_OPS_PORT: '0',
      INGEST_ALLOW_PLAIN_HTTP: 'true',
      LOG_LEVEL: 'debug',
      EXTRA: 'x',
    })
  })

  it('switches plain HTTP on for ingest only', () => {
    expect(serviceEnv('notifications', infra, {})).not.toHaveProperty('INGEST_ALLOW_PLAIN_HTTP')
    expect(serviceEnv('ingest', infra, {})).toHaveProperty('INGEST_ALLOW_PLAIN_HTTP', 'true')
  })
})
