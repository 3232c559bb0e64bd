import { CompressionTypes, Partitioners } from 'kafkajs'
import type { Kafka } from 'kafkajs'
import type { RecordSource } from './create-record-source.ts'

export type ProduceOptions = {
  topic: string
  records: number
  partitions: number
  compression: 'none' | 'gzip'
  source: RecordSource
  timeoutMs: number
  say: (line: string) => void
}

// About 3 MB a request and half a megabyte a partition, under the broker's 1 MB per record batch.
const recordsPerSend = 10_000
const progressEveryMs = 3_000

/**
 * Creates the topic and fills it the way the project's producers write: idempotent, acks from
 * all in-sync replicas, keys partitioned by murmur2. One request in flight at a time keeps the
 * idempotent producer's sequence numbers in order (kafkajs does not guarantee it with several).
 */
export async function produceBenchRecords(kafka: Kafka, options: ProduceOptions): Promise<{ seconds: number }> {
  const { topic, records, partitions, source, say } = options
  const admin = kafka.admin()
  await admin.connect()
  try {
    const created = await admin.createTopics({ topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }], waitForLeaders: true })
    if (!created) throw new Error(`topic ${topic} exists already; pass it as --topic to reuse it`)
  } finally {
    await admin.disconnect()
  }

  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner })
  await producer.connect()
  const compression = options.compression === 'gzip' ? CompressionTypes.GZIP : CompressionTypes.None
  const began = performance.now()
  let lastSaid = began
  try {
    for (let sent = 0; sent < records;) {
      const count = Math.min(recordsPerSend, records - sent)
      const messages = Array.from({ length: count }, (_, i) => source.record(sent + i))
      await producer.send({ topic, acks: -1, compression, messages })
      sent += count
      const now = performance.now()
      if (now - began > options.timeoutMs)
        throw new Error(`producing timed out after ${Math.round((now - began) / 1000)} s (${sent} of ${records})`)
      if (now - lastSaid >= progressEveryMs || sent === records) {
        say(`produced ${sent.toLocaleString('en')} of ${records.toLocaleString('en')} (${perSecond(sent, now - began)}/s)`)
        lastSaid = now
      }
    }
  } finally {
    await producer.disconnect()
  }
  return { seconds: (performance.now() - began) / 1000 }
}

function perSecond(count: number, ms: number): string {
  return Math.round(count / (ms / 1000)).toLocaleString('en')
}
