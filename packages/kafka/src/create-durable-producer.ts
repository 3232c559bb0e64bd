import { Partitioners, type Kafka, type Producer } from 'kafkajs'

/**
 * The producer for records that must not be lost or doubled: idempotent, one request in
 * flight per broker, and the Java client's partitioner (the same key lands on the same
 * partition whoever writes it). Unlimited retries, as idempotence needs, but never more
 * than 2 s apart, so a batch stuck in an outage goes through soon after the broker is back.
 *
 * kafkajs is patched (patches/kafkajs@2.2.4.patch) so that a retried batch resends every
 * partition a broker has not acknowledged, also after its leader moved to another broker.
 */
export function createDurableProducer(kafka: Kafka): Producer {
  return kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
    retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 100, maxRetryTime: 2000 },
  })
}
