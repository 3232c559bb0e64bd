import type { Kafka, Message } from 'kafkajs'

/**
 * Writes messages to a topic the way the project's producers do (idempotent, acks=-1)
 * and resolves once the broker has acknowledged them all.
 */
export async function produce(kafka: Kafka, topic: string, messages: Message[]): Promise<void> {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 5 })
  await producer.connect()
  try {
    await producer.send({ topic, messages, acks: -1 })
  } finally {
    await producer.disconnect()
  }
}
