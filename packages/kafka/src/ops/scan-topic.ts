import { randomUUID } from 'node:crypto'
import type { Admin, Kafka, KafkaMessage } from 'kafkajs'
import { OpsError } from './ops-errors.ts'

/** Offsets to read of one partition, `from` included, `until` excluded. */
export type ScanRange = { from: number; until: number }

export type ScanOptions = {
  topic: string
  /** Offsets to read per partition; other partitions are not read. */
  ranges: Map<number, ScanRange>
  /** Answers 'stop' to end the scan early. */
  onMessage: (partition: number, message: KafkaMessage) => 'stop' | void
  timeoutMs: number
  signal?: AbortSignal
}

export type ScanTopicsOptions = {
  /** Offsets to read per topic and partition; other partitions are not read. */
  ranges: Map<string, Map<number, ScanRange>>
  /** Answers 'stop' to end the scan early. */
  onMessage: (topic: string, partition: number, message: KafkaMessage) => 'stop' | void
  timeoutMs: number
  signal?: AbortSignal
}

/** Reads offset ranges of one topic: see scanTopics. */
export async function scanTopic(kafka: Kafka, admin: Admin, options: ScanOptions): Promise<void> {
  await scanTopics(kafka, admin, {
    ...options,
    ranges: new Map([[options.topic, options.ranges]]),
    onMessage: (_, partition, message) => options.onMessage(partition, message),
  })
}

/**
 * Reads offset ranges of topics without leaving a trace: kafkajs needs a consumer group,
 * so this one has a throwaway id, never commits, and is deleted afterwards. One consumer
 * for every topic (a join per topic would cost a rebalance each). Resolves when every range
 * is read or `onMessage` says stop; rejects when `timeoutMs` passes first.
 */
export async function scanTopics(kafka: Kafka, admin: Admin, options: ScanTopicsOptions): Promise<void> {
  const pending = new Map<string, ScanRange>()
  for (const [topic, ranges] of options.ranges) {
    for (const [partition, range] of ranges) if (range.from < range.until) pending.set(`${partition}:${topic}`, range)
  }
  if (pending.size === 0) return
  const topics = [...new Set([...pending.keys()].map((k) => k.slice(k.indexOf(':') + 1)))]
  const described = topics.length === 1 ? topics[0] : `${topics.length} topics`
  const groupId = `ops-scan-${randomUUID()}`
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100, allowAutoTopicCreation: false })
  let finish: (err?: Error) => void = () => undefined
  const finished = new Promise<void>((resolve, reject) => {
    finish = (err) => (err ? reject(err) : resolve())
  })
  // It may fail while the consumer is still connecting; it is awaited below.
  finished.catch(() => undefined)
  const timer = setTimeout(
    () =>
      finish(
        new OpsError(
          'SCAN_TIMEOUT',
          `reading ${described} took longer than ${options.timeoutMs / 1000} s; ${pending.size} partition(s) unread`,
        ),
      ),
    options.timeoutMs,
  )
  const onAbort = (): void => finish(new OpsError('ABORTED', `reading ${described} was interrupted`))
  options.signal?.addEventListener('abort', onAbort, { once: true })
  // kafkajs restarts by itself after a retriable crash (a coordinator still loading on a
  // fresh broker); only a crash it gives up on ends the scan.
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    if (!payload.restart) finish(payload.error)
  })

  try {
    await consumer.connect()
    await consumer.subscribe({ topics, fromBeginning: true })
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        const { topic, partition } = batch
        const key = `${partition}:${topic}`
        const range = pending.get(key)
        if (!range) {
          consumer.pause([{ topic, partitions: [partition] }])
          return
        }
        for (const message of batch.messages) {
          const offset = Number(message.offset)
          if (offset < range.from) continue
          if (offset >= range.until) break
          if (options.onMessage(topic, partition, message) === 'stop') return finish()
        }
        if (Number(batch.lastOffset()) + 1 >= range.until) {
          pending.delete(key)
          consumer.pause([{ topic, partitions: [partition] }])
          if (pending.size === 0) finish()
        }
      },
    })
    for (const [key, range] of pending) {
      const at = key.indexOf(':')
      consumer.seek({ topic: key.slice(at + 1), partition: Number(key.slice(0, at)), offset: String(range.from) })
    }
    if (options.signal?.aborted) onAbort()
    await finished
  } finally {
    clearTimeout(timer)
    options.signal?.removeEventListener('abort', onAbort)
    await consumer.disconnect()
    // A group that never committed disappears by itself; this makes sure of it.
    await admin.deleteGroups([groupId]).catch(() => undefined)
  }
}
