import { Kafka, logLevel, type Admin } from 'kafkajs'
import type { KafkaSecurity } from '../connection-security.ts'
import { kafkajsSecurity } from '../create-kafka-client.ts'

export type OpsKafka = { kafka: Kafka; admin: Admin; close: () => Promise<void> }

/**
 * A client for one command. kafkajs stays silent: the command reports failures itself,
 * in one line, and a few quick retries make an unreachable broker fail in seconds.
 */
export async function openKafka(brokers: string[], security: KafkaSecurity): Promise<OpsKafka> {
  const kafka = new Kafka({
    brokers,
    ...kafkajsSecurity(security),
    clientId: 'ops-cli',
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3_000,
    retry: { retries: 4, initialRetryTime: 300 },
  })
  const admin = kafka.admin()
  await admin.connect()
  return { kafka, admin, close: async () => await admin.disconnect() }
}
