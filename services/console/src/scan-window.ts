import { scanTopics, type ScanRange } from '@nudj-webhooks/kafka'
import type { Admin, Kafka, KafkaMessage } from 'kafkajs'

export type ScanLimits = { maxRecords: number; timeoutMs: number }
export type Found = { topic: string; partition: number; message: KafkaMessage }
export type ScanReport = {
  found: Found[]
  /** Records read, matching or not. */
  read: number
  /** The scan stopped at a limit (records read, matches kept) before the end of the window. */
  truncated: boolean
}

/**
 * Reads the records of `topics` written in [fromMs, untilMs) (until now without `untilMs`)
 * and keeps those `keep` accepts, reading at most `maxRecords` and keeping at most
 * `maxFound`. Each partition is read from the offset of its first record at or after
 * `fromMs` (Kafka's time index), so the window, not the topic's size, bounds the work.
 */
export async function scanWindow(
  kafka: Kafka,
  admin: Admin,
  o: { topics: string[]; fromMs: number; untilMs?: number; keep: (message: KafkaMessage) => boolean; maxFound: number } & ScanLimits,
): Promise<ScanReport> {
  const existing = new Set(await admin.listTopics())
  const ranges = new Map<string, Map<number, ScanRange>>()
  for (const topic of o.topics.filter((t) => existing.has(t))) {
    const highs = await admin.fetchTopicOffsets(topic)
    const starts = await admin.fetchTopicOffsetsByTimestamp(topic, o.fromMs)
    const ends = o.untilMs === undefined ? undefined : await admin.fetchTopicOffsetsByTimestamp(topic, o.untilMs)
    const byPartition = new Map<number, ScanRange>()
    for (const { partition, high, low } of highs) {
      const from = Math.max(Number(low), Number(starts.find((s) => s.partition === partition)?.offset ?? high))
      const end = ends?.find((e) => e.partition === partition)?.offset
      const until = Math.min(Number(high), end === undefined || Number(end) < 0 ? Number(high) : Number(end))
      if (from < until) byPartition.set(partition, { from, until })
    }
    if (byPartition.size > 0) ranges.set(topic, byPartition)
  }
  const found: Found[] = []
  let read = 0
  let truncated = false
  await scanTopics(kafka, admin, {
    ranges,
    timeoutMs: o.timeoutMs,
    onMessage: (topic, partition, message) => {
      read += 1
      if (o.keep(message)) found.push({ topic, partition, message })
      if (read >= o.maxRecords || found.length >= o.maxFound) {
        truncated = true
        return 'stop'
      }
    },
  })
  return { found, read, truncated }
}
