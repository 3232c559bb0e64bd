import type { Admin, Kafka } from 'kafkajs'
import { dlqTopicName } from '../group-topics.ts'
import { toDlqRecord, type DlqRecord } from './dlq-record.ts'
import { readDlqPartitions, type DlqPartition } from './read-dlq.ts'
import { countRedriven, isRedriven } from './redrive-state.ts'
import { scanTopic } from './scan-topic.ts'

export type DlqListing = {
  topic: string
  partitions: DlqPartition[]
  /** Records the DLQ holds, over every partition. */
  total: number
  /** How many of them `dlq redrive` already sent back. */
  redriven: number
  /** At most `limit`, by partition then offset, each with whether it was redriven. */
  records: (DlqRecord & { redriven: boolean })[]
}

/** The first `limit` records of a group's DLQ (oldest first per partition), read without committing. */
export async function listDlq(kafka: Kafka, admin: Admin, group: string, limit: number, signal?: AbortSignal): Promise<DlqListing> {
  const topic = dlqTopicName(group)
  const partitions = await readDlqPartitions(admin, group)
  const total = partitions.reduce((sum, p) => sum + p.high - p.low, 0)
  const redriven = partitions.reduce((sum, p) => sum + countRedriven(p.redrive, p.low, p.high), 0)
  const records: DlqRecord[] = []
  if (total > 0) {
    await scanTopic(kafka, admin, {
      topic,
      ranges: new Map(partitions.map((p) => [p.partition, { from: p.low, until: p.high }])),
      onMessage: (partition, message) => {
        records.push(toDlqRecord(partition, message))
        return records.length >= limit ? 'stop' : undefined
      },
      timeoutMs: 60_000,
      signal,
    })
  }
  records.sort((a, b) => a.partition - b.partition || a.offset - b.offset)
  const states = new Map(partitions.map((p) => [p.partition, p.redrive]))
  return {
    topic,
    partitions,
    total,
    redriven,
    records: records.map((r) => {
      const state = states.get(r.partition)
      return { ...r, redriven: state !== undefined && isRedriven(state, r.offset) }
    }),
  }
}
