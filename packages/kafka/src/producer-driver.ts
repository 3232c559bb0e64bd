import type { KafkaSecurity } from './connection-security.ts'

/**
 * The seam between the batching producer and a Kafka client: what ingest needs to write
 * records durably, nothing more. A driver is one producer session with its own producer
 * id; after a failed send it is closed and replaced, never used again (see
 * createBatchingProducer for why).
 */
export type ProduceRecord = { topic: string; key: string; value: Buffer; headers?: Record<string, string> }

export type Compression = 'none' | 'gzip'

export type ProducerDriver = {
  /**
   * Writes every record, idempotently with acks=all, each to the partition the Java
   * client's murmur2 partitioner picks for its key. Retries what is retriable by itself;
   * resolves once every record is acknowledged, rejects with a RetryableError otherwise, its
   * `code` Kafka's error name when the broker refused (OUT_OF_ORDER_SEQUENCE_NUMBER, MESSAGE_TOO_LARGE...).
   */
  send: (records: ProduceRecord[], options: { compression: Compression }) => Promise<void>
  /** Disconnects; a send still in flight may fail. */
  close: () => Promise<void>
}

export type ProducerDriverOptions = { brokers: string[]; clientId: string; security?: KafkaSecurity }

export type CreateProducerDriver = () => Promise<ProducerDriver>

/** A conservative size of a record on the wire before compression (Kafka's per-record overhead is at most ~30 bytes). */
export function recordBytes(record: ProduceRecord): number {
  let bytes = 64 + Buffer.byteLength(record.key) + record.value.length
  for (const [name, value] of Object.entries(record.headers ?? {})) bytes += 8 + Buffer.byteLength(name) + Buffer.byteLength(value)
  return bytes
}
