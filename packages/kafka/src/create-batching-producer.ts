import { CompressionTypes, type Producer } from 'kafkajs'
import { RetryableError } from './errors.ts'

export type OutgoingRecord = { topic: string; key: string; value: Buffer; headers?: Record<string, string> }

export type BatchingProducerOptions = {
  /** How long the first record of an idle producer waits for company. */
  lingerMs: number
  maxBatchRecords: number
  /** Queued plus in-flight records beyond which `send` refuses at once (backpressure). */
  maxPendingRecords: number
  compression: 'none' | 'gzip'
  /** Told about every batch sent, for metrics. */
  onBatch?: (batch: { records: number; durationMs: number; ok: boolean }) => void
}

export type BatchingProducer = {
  /** Resolves once the broker acknowledged this record's batch (acks=-1). */
  send: (record: OutgoingRecord) => Promise<void>
  /** Records queued or in flight. */
  pending: () => number
  /** Sends what is queued, waits for it, then disconnects. */
  close: () => Promise<void>
}

type Entry = { record: OutgoingRecord; resolve: () => void; reject: (err: Error) => void }

/**
 * Lets concurrent callers share produce requests: records queue while a batch is in
 * flight and go together in the next one, each caller resolving on its own batch's
 * acknowledgement. One batch in flight at a time keeps the idempotent producer's
 * sequence numbers in order (kafkajs does not guarantee that with several).
 */
export function createBatchingProducer(producer: Producer, options: BatchingProducerOptions): BatchingProducer {
  const queue: Entry[] = []
  let inFlight = 0
  let timer: NodeJS.Timeout | undefined
  let idle: (() => void) | undefined
  const compression = options.compression === 'gzip' ? CompressionTypes.GZIP : CompressionTypes.None

  function schedule(): void {
    if (inFlight > 0 || timer || queue.length === 0) return
    if (queue.length >= options.maxBatchRecords) return flush()
    timer = setTimeout(flush, options.lingerMs)
  }

  function flush(): void {
    if (timer) {
      clearTimeout(timer)
      timer = undefined
    }
    if (inFlight > 0 || queue.length === 0) return
    const batch = queue.splice(0, options.maxBatchRecords)
    inFlight = batch.length
    const began = performance.now()
    void sendBatch(batch).then((ok) => {
      options.onBatch?.({ records: batch.length, durationMs: performance.now() - began, ok })
      inFlight = 0
      // Whatever queued meanwhile has waited a whole round trip already: send it now.
      if (queue.length > 0) flush()
      else idle?.()
    })
  }

  async function sendBatch(batch: Entry[]): Promise<boolean> {
    const byTopic = new Map<string, { key: string; value: Buffer; headers?: Record<string, string> }[]>()
    for (const { record } of batch) {
      const messages = byTopic.get(record.topic) ?? []
      messages.push({ key: record.key, value: record.value, headers: record.headers })
      byTopic.set(record.topic, messages)
    }
    try {
      await producer.sendBatch({ acks: -1, compression, topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })) })
      for (const entry of batch) entry.resolve()
      return true
    } catch (err) {
      const error = new RetryableError('PRODUCE_FAILED', `Kafka did not acknowledge the batch: ${(err as Error).message}`, { cause: err })
      for (const entry of batch) entry.reject(error)
      return false
    }
  }

  return {
    send(record) {
      if (queue.length + inFlight >= options.maxPendingRecords) {
        return Promise.reject(new RetryableError('PRODUCER_OVERLOADED', `${queue.length + inFlight} records are already waiting for Kafka`))
      }
      return new Promise((resolve, reject) => {
        queue.push({ record, resolve, reject })
        schedule()
      })
    },
    pending: () => queue.length + inFlight,
    async close() {
      if (queue.length > 0 || inFlight > 0) {
        await new Promise<void>((resolve) => {
          idle = resolve
          flush()
        })
      }
      await producer.disconnect()
    },
  }
}
