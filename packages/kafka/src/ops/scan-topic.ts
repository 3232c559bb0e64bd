import { randomUUID } from 'node:crypto'
import type { Admin, Kafka, KafkaMessage } from 'kafkajs'
import { OpsError } from './ops-errors.ts'

export type ScanOptions = {
  topic: string
  /** Offsets to read per partition, `from` included, `until` excluded; other partitions are not read. */
  ranges: Map<number, { from: number; until: number }>
  /** Answers 'stop' to end the scan early. */
  onMessage: (partition: number, message: KafkaMessage) => 'stop' | void
  timeoutMs: number
  signal?: AbortSignal
}

/**
 * Reads offset ranges of a topic without leaving a trace: kafkajs needs a consumer group,
 * so this one has a throwaway id, never commits, and is deleted afterwards. Resolves when
 * every range is read or `onMessage` says stop; rejects when `timeoutMs` passes first.
 */
export async function scanTopic(kafka: Kafka, admin: Admin, options: ScanOptions): Promise<void> {
  const { topic } = options
  const pending = new Map([...options.ranges].filter(([, r]) => r.from < r.until))
  if (pending.size === 0) return
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
          `reading ${topic} took longer than ${options.timeoutMs / 1000} s; ${pending.size} partition(s) unread`,
        ),
      ),
    options.timeoutMs,
  )
  const onAbort = (): void => finish(new OpsError('ABORTED', `reading ${topic} was interrupted`))
  options.signal?.addEventListener('abort', onAbort, { once: true })
  // kafkajs restarts by itself after a retriable crash (a coordinator still loading on a
  // fresh broker); only a crash it gives up on ends the scan.
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    if (!payload.restart) finish(payload.error)
  })

  try {
    await consumer.connect()
    await consumer.subscribe({ topics: [topic], fromBeginning: true })
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        const range = pending.get(batch.partition)
        if (!range) {
          consumer.pause([{ topic, partitions: [batch.partition] }])
          return
        }
        for (const message of batch.messages) {
          const offset = Number(message.offset)
          if (offset < range.from) continue
          if (offset >= range.until) break
          if (options.onMessage(batch.partition, message) === 'stop') return finish()
        }
        if (Number(batch.lastOffset()) + 1 >= range.until) {
          pending.delete(batch.partition)
          consumer.pause([{ topic, partitions: [batch.partition] }])
          if (pending.size === 0) finish()
        }
      },
    })
    for (const [partition, range] of pending) consumer.seek({ topic, partition, offset: String(range.from) })
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
