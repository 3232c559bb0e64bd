import type { Admin, Kafka } from 'kafkajs'
import { dlqTopicName } from '../group-topics.ts'
import { toDlqRecord, type DlqRecord } from './dlq-record.ts'
import { OpsError } from './ops-errors.ts'
import { readDlqPartitions } from './read-dlq.ts'
import { isRedriven } from './redrive-state.ts'
import { scanTopic } from './scan-topic.ts'

/** One record of a group's DLQ and whether it was redriven; NO_SUCH_RECORD when the DLQ has none there. */
export async function readDlqRecord(
  kafka: Kafka,
  admin: Admin,
  { group, partition, offset }: { group: string; partition: number; offset: number },
  signal?: AbortSignal,
): Promise<{ topic: string; record: DlqRecord; redriven: boolean }> {
  const topic = dlqTopicName(group)
  const partitions = await readDlqPartitions(admin, group)
  const held = partitions.find((p) => p.partition === partition)
  if (!held) throw new OpsError('NO_SUCH_RECORD', `${topic} has no partition ${partition} (it has ${partitions.length})`)
  if (offset < held.low || offset >= held.high) {
    const holds = held.low === held.high ? 'is empty' : `holds offsets ${held.low} to ${held.high - 1}`
    throw new OpsError('NO_SUCH_RECORD', `${topic} partition ${partition} has no offset ${offset}: it ${holds}`)
  }
  let record: DlqRecord | undefined
  await scanTopic(kafka, admin, {
    topic,
    ranges: new Map([[partition, { from: offset, until: offset + 1 }]]),
    onMessage: (p, message) => {
      record = toDlqRecord(p, message)
      return 'stop'
    },
    timeoutMs: 30_000,
    signal,
  })
  if (!record)
    throw new OpsError('NO_SUCH_RECORD', `${topic} partition ${partition} offset ${offset} could not be read (compacted or deleted)`)
  return { topic, record, redriven: isRedriven(held.redrive, offset) }
}
