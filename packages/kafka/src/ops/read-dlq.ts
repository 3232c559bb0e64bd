import type { Admin } from 'kafkajs'
import { dlqTopicName } from '../group-topics.ts'
import { OpsError } from './ops-errors.ts'
import { fetchRedriveStates, type RedriveState } from './redrive-state.ts'

export type DlqPartition = { partition: number; low: number; high: number; redrive: RedriveState }

/** A group's DLQ partitions with their watermarks and what was redriven; fails when the DLQ is missing. */
export async function readDlqPartitions(admin: Admin, group: string): Promise<DlqPartition[]> {
  const topic = dlqTopicName(group)
  if (!(await admin.listTopics()).includes(topic)) {
    throw new OpsError('DLQ_MISSING', `topic ${topic} does not exist (run ops topics ensure)`)
  }
  const offsets = await admin.fetchTopicOffsets(topic)
  const lows = new Map(offsets.map((o) => [o.partition, Number(o.low)]))
  const states = await fetchRedriveStates(admin, group, lows)
  return offsets
    .map((o) => ({
      partition: o.partition,
      low: Number(o.low),
      high: Number(o.high),
      redrive: states.get(o.partition) ?? { next: Number(o.low), islands: [] },
    }))
    .sort((a, b) => a.partition - b.partition)
}
