import { Kafka, logLevel, type KafkaConfig, type LogEntry, type SASLOptions } from 'kafkajs'
import type { Logger } from 'pino'
import type { KafkaSecurity } from './connection-security.ts'

export type KafkaClientOptions = {
  brokers: string[]
  clientId: string
  logger: Logger
  /** TLS and SASL, from connectionSecurity; none: plaintext and unauthenticated (local development). */
  security?: KafkaSecurity
}

/**
 * A kafkajs client that logs through the service's pino logger (warnings and errors only).
 * Every consumer, admin and kafkajs producer of a service comes from it, so they all share its security.
 */
export function createKafkaClient({ brokers, clientId, logger, security = {} }: KafkaClientOptions): Kafka {
  const log = logger.child({ component: 'kafkajs' })
  return new Kafka({
    brokers,
    clientId,
    ...kafkajsSecurity(security),
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log: entry }: LogEntry) => {
        const { message, timestamp: _timestamp, logger: _logger, ...fields } = entry
        if (level <= logLevel.ERROR) log.error(fields, message)
        else if (level === logLevel.WARN) log.warn(fields, message)
        else log.debug(fields, message)
      },
  })
}

/** kafkajs's `ssl` and `sasl` options (its mechanism names are ours). */
export function kafkajsSecurity({ tls, sasl }: KafkaSecurity): Pick<KafkaConfig, 'ssl' | 'sasl'> {
  // kafkajs types `sasl` as a union by mechanism, which a union-typed mechanism cannot meet.
  return { ...(tls && { ssl: tls }), ...(sasl && { sasl: { ...sasl } as SASLOptions }) }
}
