import { Kafka, logLevel, type LogEntry } from 'kafkajs'
import type { Logger } from 'pino'

export type KafkaClientOptions = { brokers: string[]; clientId: string; logger: Logger }

/** A kafkajs client that logs through the service's pino logger (warnings and errors only). */
export function createKafkaClient({ brokers, clientId, logger }: KafkaClientOptions): Kafka {
  const log = logger.child({ component: 'kafkajs' })
  return new Kafka({
    brokers,
    clientId,
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
