import { setTimeout as sleep } from 'node:timers/promises'
import { Partitioners, type Admin, type EachBatchPayload, type IHeaders, type Kafka, type KafkaMessage } from 'kafkajs'
import { dlqTopicName, provenanceHeaders as h } from '../group-topics.ts'
import { matchesDlqFilter, toDlqRecord, type DlqFilter } from './dlq-record.ts'
import { OpsError } from './ops-errors.ts'
import type { DlqPartition } from './read-dlq.ts'
import { encodeRedriveIslands, isRedriven, markRedriven, maxRedriveMetadataLength, redriveGroupId } from './redrive-state.ts'
import { retryCoordinator } from './retry-coordinator.ts'

export type RedriveOptions = {
  group: string
  /** The group's first retry topic. */
  targetTopic: string
  /** The DLQ as it was when the redrive began: records written later are not redriven. */
  partitions: DlqPartition[]
  filter: DlqFilter
  ratePerSecond: number
  maxFailureRatio: number
  /** Redrive at most this many. */
  max: number | undefined
  timeoutMs: number
  signal: AbortSignal
  onProgress: (progress: RedriveProgress) => void
}
export type RedriveProgress = {
  examined: number
  toExamine: number
  redriven: number
  /** Selected records skipped because a record of the same origin was redriven in this run. */
  duplicates: number
  arrivals: number
}
export type RedriveStop = 'done' | 'max' | 'failing' | 'timeout' | 'aborted' | 'state-full'
export type RedriveResult = RedriveProgress & { stopped: RedriveStop }

/** The failure ratio is judged only once this many are redriven: a few failures say little. */
export const minRedrivenForRatio = 20
const checkEveryMs = 1_000

/**
 * Sends the selected records of a group's DLQ to its first retry topic, paced, and
 * remembers each one in the commits of `<group>.dlq.redrive` right after Kafka has it
 * (a crash in between resends at most one chunk; the handlers are idempotent). Stops when
 * the DLQ grows faster than `maxFailureRatio` of what was redriven: they are failing again.
 */
export async function redriveDlq(kafka: Kafka, admin: Admin, o: RedriveOptions): Promise<RedriveResult> {
  const topic = dlqTopicName(o.group)
  const groupId = redriveGroupId(o.group)
  const states = new Map(o.partitions.map((p) => [p.partition, p.redrive]))
  const starts = new Map(o.partitions.map((p) => [p.partition, Math.max(p.redrive.next, p.low)]))
  const until = new Map(o.partitions.map((p) => [p.partition, p.high]))
  const pending = new Set(o.partitions.filter((p) => (starts.get(p.partition) ?? 0) < p.high).map((p) => p.partition))
  const progress: RedriveProgress = { examined: 0, toExamine: 0, redriven: 0, duplicates: 0, arrivals: 0 }
  // A consumer that crashes between writing a record to the DLQ and committing its offset
  // writes it again: each origin (topic, partition, offset) goes back once per run.
  const sentOrigins = new Set<string>()
  // Batches still at work: the consumer disconnects only after them. kafkajs's
  // consumer.commitOffsets silently does nothing once disconnect() has begun, so a batch
  // that flushed while the run was stopping sent its records and forgot them (the
  // redrive then reported one more record than it remembered, and sent it again later).
  const working = new Set<Promise<void>>()
  for (const p of o.partitions) progress.toExamine += Math.max(0, p.high - (starts.get(p.partition) ?? 0))
  if (pending.size === 0) return { ...progress, stopped: 'done' }

  const [existing] = (await retryCoordinator(async () => await admin.describeGroups([groupId]))).groups
  if (existing && existing.state !== 'Empty' && existing.state !== 'Dead') {
    throw new OpsError(
      'REDRIVE_RUNNING',
      `another redrive of ${topic} is running (group ${groupId} is ${existing.state}); wait for it to finish (a killed one leaves the group when its session times out, about 30 s)`,
    )
  }

  const stopping = new AbortController()
  let stopped: RedriveStop | undefined
  let failure: Error | undefined
  let finish = (): void => undefined
  const finished = new Promise<void>((resolve) => (finish = resolve))
  const stop = (reason: RedriveStop, err?: Error): void => {
    // Only the first reason counts: an error while already stopping is a consequence.
    if (stopped === undefined) failure = err
    stopped ??= reason
    stopping.abort()
    finish()
  }
  const onAbort = (): void => stop('aborted')
  o.signal.addEventListener('abort', onAbort, { once: true })
  const timer = setTimeout(() => stop('timeout'), o.timeoutMs)
  const baseline = o.partitions.reduce((sum, p) => sum + p.high, 0)
  const chunk = Math.max(1, Math.min(100, Math.floor(o.ratePerSecond / 10)))
  let pacedFrom: number | undefined

  /** Waits until the `count`th record (from 0) may go. */
  async function pace(count: number): Promise<void> {
    pacedFrom ??= performance.now()
    const wait = pacedFrom + (count / o.ratePerSecond) * 1000 - performance.now()
    if (wait > 0) await sleep(wait, undefined, { signal: stopping.signal })
  }

  async function checkArrivals(): Promise<void> {
    const offsets = await admin.fetchTopicOffsets(topic)
    progress.arrivals = offsets.reduce((sum, x) => sum + Number(x.high), 0) - baseline
    if (progress.redriven >= minRedrivenForRatio && progress.arrivals > o.maxFailureRatio * progress.redriven) stop('failing')
  }

  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner })
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 250, allowAutoTopicCreation: false })
  consumer.on(consumer.events.CRASH, ({ payload }) => stop('aborted', payload.error))
  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    if ((payload.memberAssignment[topic]?.length ?? 0) < o.partitions.length) {
      stop('aborted', new OpsError('REDRIVE_RUNNING', `another redrive of ${topic} joined group ${groupId}; stopped this one`))
    }
  })

  async function eachBatch(payload: EachBatchPayload): Promise<void> {
    // A failure ends the run rather than letting kafkajs retry the batch.
    const work = redriveBatch(payload).catch((err: Error) => stop('aborted', err))
    working.add(work)
    await work
    working.delete(work)
  }

  async function redriveBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload
    const partition = batch.partition
    const end = until.get(partition) ?? 0
    if (!pending.has(partition)) return consumer.pause([{ topic, partitions: [partition] }])
    const queued: KafkaMessage[] = []
    // The state with the queued records in it; it becomes the partition's state once Kafka has them.
    let next = states.get(partition) ?? { next: 0, islands: [] }
    const flush = async (): Promise<void> => {
      if (next === states.get(partition)) return
      if (queued.length > 0) {
        const now = String(Date.now())
        const messages = queued.map((m) => ({ key: m.key, value: m.value, headers: redriveHeaders(m.headers, now) }))
        await producer.send({ topic: o.targetTopic, acks: -1, messages })
        progress.redriven += queued.length
        queued.length = 0
      }
      states.set(partition, next)
      await consumer.commitOffsets([{ topic, partition, offset: String(next.next), metadata: encodeRedriveIslands(next) }])
      o.onProgress({ ...progress })
    }
    for (const message of batch.messages) {
      const offset = Number(message.offset)
      if (stopped || !payload.isRunning() || payload.isStale() || offset >= end) break
      if (offset < (starts.get(partition) ?? 0)) continue
      progress.examined += 1
      if (isRedriven(next, offset)) continue
      const record = toDlqRecord(partition, message)
      if (!matchesDlqFilter(record, o.filter)) continue
      const marked = markRedriven(next, offset)
      if (encodeRedriveIslands(marked).length > maxRedriveMetadataLength) {
        stop('state-full')
        break
      }
      if (sentOrigins.has(record.originKey)) {
        // Remembered as redriven with the next flush, so the next run skips it too.
        next = marked
        progress.duplicates += 1
        continue
      }
      if (o.max !== undefined && progress.redriven + queued.length >= o.max) {
        stop('max')
        break
      }
      try {
        await pace(progress.redriven + queued.length)
      } catch {
        break // stopping while waiting its turn: not sent, not marked
      }
      next = marked
      sentOrigins.add(record.originKey)
      queued.push(message)
      if (queued.length >= chunk) await flush()
      await payload.heartbeat()
    }
    await flush()
    if (!stopped && Number(batch.lastOffset()) + 1 >= end) {
      pending.delete(partition)
      consumer.pause([{ topic, partitions: [partition] }])
      if (pending.size === 0) finish()
    }
    o.onProgress({ ...progress })
  }

  const monitor = (async () => {
    while (!stopping.signal.aborted) {
      await sleep(checkEveryMs, undefined, { signal: stopping.signal }).catch(() => undefined)
      if (!stopping.signal.aborted) await checkArrivals()
    }
  })().catch((err: Error) => stop('aborted', err))

  try {
    await producer.connect()
    await consumer.connect()
    await consumer.subscribe({ topics: [topic], fromBeginning: true })
    await consumer.run({ autoCommit: false, eachBatch })
    for (const partition of pending) consumer.seek({ topic, partition, offset: String(starts.get(partition)) })
    if (o.signal.aborted) onAbort()
    await finished
  } finally {
    clearTimeout(timer)
    o.signal.removeEventListener('abort', onAbort)
    stopping.abort()
    await monitor
    await Promise.all(working)
    await consumer.disconnect()
    await producer.disconnect()
  }
  if (failure) throw failure
  // Whatever came back while the last records went out counts too.
  if (stopped === undefined || stopped === 'max') await checkArrivals()
  return { ...progress, stopped: stopped ?? 'done' }
}

/** The record's own headers and provenance, with a fresh start on the retry topic. */
function redriveHeaders(headers: IHeaders | undefined, now: string): IHeaders {
  return { ...headers, [h.attempt]: '0', [h.dueAt]: now, [h.redrivenAt]: now }
}
