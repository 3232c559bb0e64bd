import { infraToEnv, type Infra } from './infra.ts'

export type ServiceName = 'ingest' | 'analytics' | 'email' | 'notifications'

export type ServiceEnvOptions = {
  /** Topics of the caller's own (KAFKA_TOPIC_PREFIX); the service's default otherwise. */
  topicPrefix?: string
  /** A consumer's group (CONSUMER_GROUP). */
  group?: string
  /** A consumer's own database; infra's administrative one otherwise. */
  databaseUrl?: string
  partitions?: number
  /** `<SERVICE>_RETRY_SCHEDULE`, e.g. `1s,5s`; the service's default otherwise. */
  retrySchedule?: string
  /** The public and ops ports on 127.0.0.1; 0 (the default) lets the system choose (in-process only). */
  port?: number
  opsPort?: number
  /** What the caller changes or adds: applied last, so it wins over everything above. */
  env?: Record<string, string>
}

/**
 * Everything a service reads to run against the running infra, on loopback, under topics
 * and a group of the caller's own: the one place tests and benchmarks build it, whether the
 * service then runs as a process (`startService`) or in-process (its `load<Name>Config`).
 */
export function serviceEnv(service: ServiceName, infra: Infra, options: ServiceEnvOptions): Record<string, string> {
  const upper = service.toUpperCase()
  return {
    ...infraToEnv(infra),
    ...(options.databaseUrl !== undefined && { DATABASE_URL: options.databaseUrl }),
    ...(options.topicPrefix !== undefined && { KAFKA_TOPIC_PREFIX: options.topicPrefix }),
    ...(options.partitions !== undefined && { KAFKA_TOPIC_PARTITIONS: String(options.partitions) }),
    ...(options.group !== undefined && { CONSUMER_GROUP: options.group }),
    ...(options.retrySchedule !== undefined && { [`${upper}_RETRY_SCHEDULE`]: options.retrySchedule }),
    [`${upper}_HOST`]: '127.0.0.1',
    [`${upper}_PORT`]: String(options.port ?? 0),
    [`${upper}_OPS_PORT`]: String(options.opsPort ?? 0),
    // Tests and benchmarks send plain HTTP on loopback; the other services have no such switch.
    ...(service === 'ingest' && { INGEST_ALLOW_PLAIN_HTTP: 'true' }),
    LOG_LEVEL: 'warn',
    ...options.env,
  }
}
