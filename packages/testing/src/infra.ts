import type { StackConfig } from './config.ts'
import { ccompatPath } from './stack/registry-server.ts'

/** Where the tests and the services find the infrastructure. */
export type Infra = {
  kafkaBrokers: string[]
  /** Confluent-compatible API root, as `@kafkajs/confluent-schema-registry` takes it. */
  schemaRegistryUrl: string
  /** An administrative database URL; suites create their own databases from it. */
  databaseUrl: string
  /** `smtp://host:port` */
  smtpUrl: string
  /** Mailpit's REST API root (`GET /api/v1/messages`). */
  mailApiUrl: string
}

/** The addresses of the local stack (the same ports docker-compose.yml publishes). */
export function localStackInfra(config: StackConfig): Infra {
  return {
    kafkaBrokers: [`127.0.0.1:${config.kafka.port}`],
    schemaRegistryUrl: `http://127.0.0.1:${config.registry.port}${ccompatPath}`,
    databaseUrl: `postgres://postgres:${config.postgres.password}@127.0.0.1:${config.postgres.port}/postgres`,
    smtpUrl: `smtp://127.0.0.1:${config.smtp.smtpPort}`,
    mailApiUrl: `http://127.0.0.1:${config.smtp.httpPort}`,
  }
}

/** The infrastructure as environment variables, for `export` in a shell or a service. */
export function infraToEnv(infra: Infra): Record<string, string> {
  return {
    KAFKA_BROKERS: infra.kafkaBrokers.join(','),
    SCHEMA_REGISTRY_URL: infra.schemaRegistryUrl,
    DATABASE_URL: infra.databaseUrl,
    SMTP_URL: infra.smtpUrl,
    MAIL_API_URL: infra.mailApiUrl,
  }
}
