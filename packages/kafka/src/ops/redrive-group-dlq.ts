import type { Admin, Kafka } from 'kafkajs'
import { dlqTopicName, retryTopicName } from '../group-topics.ts'
import { matchesDlqFilter, toDlqRecord, type DlqFilter, type DlqRecord } from './dlq-record.ts'
import type { Topology, TopologyGroup } from './load-topology.ts'
import { OpsError } from './ops-errors.ts'
import { readDlqPartitions, type DlqPartition } from './read-dlq.ts'
import { redriveDlq, type RedriveProgress, type RedriveResult } from './redrive-dlq.ts'
import { isRedriven } from './redrive-state.ts'
import { scanTopic } from './scan-topic.ts'
import { writeAuditRecord, type AuditActor, type AuditRecord } from './write-audit-record.ts'

export type RedriveRequest = {
  group: TopologyGroup
  filter: DlqFilter
  /** The `since` filter as the operator wrote it, for the audit record. */
  sinceText?: string
  ratePerSecond: number
  maxFailureRatio: number
  max: number | undefined
  timeoutMs: number
  signal: AbortSignal
  onProgress?: (progress: RedriveProgress) => void
}

export type RedrivePlan = {
  topic: string
  target: string
  /** Records a redrive would send now. */
  count: number
  /** Selected records skipped as a second copy of an origin already selected. */
  duplicates: number
  /** The first of them (at most `sampleSize`). */
  sample: DlqRecord[]
}

export type RedriveOutcome = { topic: string; target: string; result: RedriveResult; audit: AuditRecord | undefined }

const sampleSize = 20

/** The DLQ and the group's first retry topic, both checked to exist. */
async function redriveTopics(admin: Admin, group: TopologyGroup): Promise<{ topic: string; target: string; partitions: DlqPartition[] }> {
  const topic = dlqTopicName(group.name)
  const target = retryTopicName(group.name, group.retrySchedule[0] as number)
  const partitions = await readDlqPartitions(admin, group.name)
  if (!(await admin.listTopics()).includes(target)) {
    throw new OpsError('RETRY_TOPIC_MISSING', `topic ${target} does not exist (run ops topics ensure)`)
  }
  return { topic, target, partitions }
}

/** What `redriveGroupDlq` would send now, counted as it would count (each origin once); sends nothing. */
export async function planRedrive(
  kafka: Kafka,
  admin: Admin,
  { group, filter, max, signal }: Pick<RedriveRequest, 'group' | 'filter' | 'max' | 'signal'>,
): Promise<RedrivePlan> {
  const { topic, target, partitions } = await redriveTopics(admin, group)
  const states = new Map(partitions.map((p) => [p.partition, p.redrive]))
  const sample: DlqRecord[] = []
  const origins = new Set<string>()
  let count = 0
  let duplicates = 0
  await scanTopic(kafka, admin, {
    topic,
    ranges: new Map(partitions.map((p) => [p.partition, { from: Math.max(p.low, p.redrive.next), until: p.high }])),
    onMessage: (partition, message) => {
      const record = toDlqRecord(partition, message)
      const state = states.get(partition)
      if ((state && isRedriven(state, record.offset)) || !matchesDlqFilter(record, filter)) return
      if (origins.has(record.originKey)) {
        duplicates += 1
        return
      }
      origins.add(record.originKey)
      count += 1
      if (sample.length < sampleSize) sample.push(record)
      return max !== undefined && count >= max ? 'stop' : undefined
    },
    timeoutMs: 120_000,
    signal,
  })
  return { topic, target, count, duplicates, sample }
}

/**
 * `ops dlq redrive` and the console's redrive: sends the selected dead letters back to the
 * group's first retry topic, paced (redriveDlq), then records on the audit topic what was
 * sent and by `who`, when anything was.
 */
export async function redriveGroupDlq(
  kafka: Kafka,
  admin: Admin,
  topology: Topology,
  request: RedriveRequest,
  who?: AuditActor,
): Promise<RedriveOutcome> {
  const { group, filter } = request
  const { topic, target, partitions } = await redriveTopics(admin, group)
  const result = await redriveDlq(kafka, admin, {
    group: group.name,
    targetTopic: target,
    partitions,
    filter,
    ratePerSecond: request.ratePerSecond,
    maxFailureRatio: request.maxFailureRatio,
    max: request.max,
    timeoutMs: request.timeoutMs,
    signal: request.signal,
    onProgress: request.onProgress ?? (() => undefined),
  })
  const audit =
    result.redriven === 0
      ? undefined
      : await writeAuditRecord(
          kafka,
          admin,
          topology,
          {
            action: 'dlq-redrive',
            group: group.name,
            from: topic,
            to: target,
            filter: { errorCode: filter.errorCode ?? null, key: filter.key ?? null, since: request.sinceText ?? null },
            redriven: result.redriven,
            duplicates: result.duplicates,
            stopped: result.stopped,
          },
          who,
        )
  return { topic, target, result, audit }
}
