import { setTimeout as sleep } from 'node:timers/promises'
import { Partitioners, type Consumer, type EachBatchPayload, type KafkaMessage } from 'kafkajs'
import { createConsumerMetrics } from './create-consumer-metrics.ts'
import { createMessageProcessor, type Result } from './create-message-processor.ts'
import { createPostgresLedger } from './create-postgres-ledger.ts'
import { messageOf, RetryableError } from './errors.ts'
import { kafkaErrorType } from './kafka-error-type.ts'
import type { ConsumerDefinition, ConsumerDeps, ConsumerMessage } from './consumer-types.ts'
import { provenanceHeaders as h, retryGroupId, retryTopicName } from './group-topics.ts'
import { processBatchOnce } from './process-batch-once.ts'

export type RunningConsumer = {
  /** Joined its groups and not stopped. */
  isReady: () => boolean
  /** Finishes (or aborts) in-flight work, commits what is done, leaves the groups. */
  close: () => Promise<void>
}

const longestRetryWaitMs = 5_000
const defaultSessionTimeoutMs = 6_000
/** What a heartbeat answers once the group rebalances (or has moved on without this member). */
const rejoinErrors = new Set(['REBALANCE_IN_PROGRESS', 'ILLEGAL_GENERATION', 'UNKNOWN_MEMBER_ID'])
const outageBackoffMs = [1_000, 2_000, 5_000, 10_000, 30_000]

/**
 * Runs a consumer group: its main consumer on the definition's topics and a retry consumer
 * on the group's retry topics. Offsets are resolved only once a message's outcome is
 * durable (effect committed, or the message written to a retry or dead-letter topic).
 */
export async function runConsumer<T>(definition: ConsumerDefinition<T>, deps: ConsumerDeps): Promise<RunningConsumer> {
  const { group } = definition
  const logger = deps.logger.child({ group })
  const metrics = createConsumerMetrics(deps.registry)
  const ledger = deps.pool ? createPostgresLedger(deps.pool) : undefined
  if (definition.effect !== 'none' && !ledger)
    throw new Error(`consumer ${group}: effect '${definition.effect}' needs a Postgres pool for its ledger`)
  await ledger?.migrate()

  const stopping = new AbortController()
  // Moves to retry and DLQ topics give up after a few tries, so that a broken write fails
  // the batch (and is retried with it, uncommitted) instead of hanging it; a duplicate
  // from a retried move is dropped by the ledger.
  const producer = deps.kafka.producer({
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
    retry: { retries: 5, maxRetryTime: 5_000 },
  })
  await producer.connect()
  const processor = createMessageProcessor(definition, { producer, ledger, logger, metrics, signal: stopping.signal })
  const probe = definition.probe ?? (async () => (ledger ? await ledger.ping() : true))
  const joined = new Set<string>()

  // An idle fetch waits at most half a second, so a resumed partition is read again soon.
  // A killed member keeps its partitions for the session timeout: 6 s (the broker's least by
  // default) has another member serve them 6 to 7 s after a SIGKILL, not kafkajs' 30 s
  // (bench/consumer/recovery.ts). The background heartbeat below keeps a member with a slow
  // batch in its group all the same. A rebalance waits for every live member to rejoin, at
  // most rebalanceTimeout: a member rejoins once the message in hand is settled (handler
  // timeout, then a move of a few seconds), so more than that only lets a wedged member hold
  // up the whole group (kafkajs' default is 60 s).
  const sessionTimeout = definition.sessionTimeoutMs ?? defaultSessionTimeoutMs
  const options = {
    allowAutoTopicCreation: false,
    maxWaitTimeInMs: 500,
    sessionTimeout,
    heartbeatInterval: Math.max(500, sessionTimeout / 10),
    rebalanceTimeout: Math.max(sessionTimeout, definition.handlerTimeoutMs + 10_000),
    // kafkajs decodes a fetch response in one synchronous stretch, before any heartbeat can go
    // out: its default 10 MB (a backlog on 60 partitions) took longer than the 6 s session on
    // a busy 2-core machine and dropped the member. 2 MB is a few hundred milliseconds.
    maxBytes: 2 * 1024 * 1024,
    maxBytesPerPartition: 512 * 1024,
  }
  const main = deps.kafka.consumer({ groupId: group, ...options })
  const retry = deps.kafka.consumer({ groupId: retryGroupId(group), ...options })
  for (const [consumer, name] of [
    [main, 'main'],
    [retry, 'retry'],
  ] as const) {
    consumer.on(consumer.events.GROUP_JOIN, () => {
      joined.add(name)
      metrics.rebalances.inc({ group })
    })
    consumer.on(consumer.events.COMMIT_OFFSETS, () => metrics.lastCommit.set({ group }, Date.now() / 1000))
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      joined.delete(name)
      logger.error({ err: payload.error, consumer: name, restart: payload.restart }, 'consumer crashed')
    })
  }

  /** A dependency is down for everyone: pause this partition, keep the message, probe until it is back. */
  async function pauseForOutage(consumer: Consumer, topic: string, partition: number, offset: string, code: string): Promise<void> {
    consumer.pause([{ topic, partitions: [partition] }])
    consumer.seek({ topic, partition, offset })
    metrics.pausedPartitions.inc({ group, reason: 'outage' })
    logger.warn({ topic, partition, dependency: code }, 'dependency down: partition paused until it answers')
    void (async () => {
      for (let i = 0; !stopping.signal.aborted; i++) {
        await sleep(outageBackoffMs[Math.min(i, outageBackoffMs.length - 1)] as number, undefined, { signal: stopping.signal }).catch(
          () => undefined,
        )
        if (code === 'SETTLE_FAILED' || (await probe().catch(() => false))) break
      }
      metrics.pausedPartitions.dec({ group, reason: 'outage' })
      if (!stopping.signal.aborted) {
        logger.info({ topic, partition }, 'dependency back: partition resumed')
        consumer.resume([{ topic, partitions: [partition] }])
      }
    })()
  }

  /**
   * A message's outcome; when even that cannot be made durable (the move to a retry or
   * dead-letter topic failed), the partition pauses on this message and tries it again
   * later, committing nothing past it.
   */
  async function settle(message: ConsumerMessage, attempt: number): Promise<Result> {
    try {
      return await processor.process(message, attempt)
    } catch (err) {
      logger.error(
        { err, topic: message.topic, partition: message.partition, offset: message.offset },
        'could not settle a message; it will be tried again',
      )
      return { pause: { kind: 'pause', code: 'SETTLE_FAILED', message: messageOf(err) } }
    }
  }

  async function eachBatch(consumer: Consumer, payload: EachBatchPayload, retries: boolean): Promise<void> {
    // kafkajs beats only when asked: a batch of slow messages (each up to the handler
    // timeout) would outlast the session. Beating in the background keeps the member in
    // its group. A rebalance it hears of ends the batch after the message in hand, so that
    // the member rejoins at once rather than hold up the group (a killed member's partitions
    // with it); the rest stays uncommitted for the partition's next owner. The error itself
    // is left to the next heartbeat or commit to raise, which makes kafkajs rejoin.
    let rejoining = false
    const beat = setInterval(
      () =>
        void payload.heartbeat().catch((err: unknown) => {
          if (rejoinErrors.has(kafkaErrorType(err) ?? '')) rejoining = true
        }),
      options.heartbeatInterval,
    )
    try {
      await handleBatch(consumer, payload, retries, () => rejoining)
    } finally {
      clearInterval(beat)
    }
  }

  async function handleBatch(consumer: Consumer, payload: EachBatchPayload, retries: boolean, rejoining: () => boolean): Promise<void> {
    const { batch } = payload
    const messages = batch.messages.map((m) => toConsumerMessage(batch.topic, batch.partition, m))
    const handled = await processBatchOnce(definition, ledger, processor, messages, stopping.signal, retries)
    for (const [index, message] of messages.entries()) {
      if (!payload.isRunning() || payload.isStale() || stopping.signal.aborted) break
      let result: Result
      const preset = handled.get(index)
      if (preset) result = preset
      else if (rejoining()) break
      else if (retries) {
        const dueAt = Number(message.headers[h.dueAt] ?? 0)
        if (dueAt > Date.now()) {
          // Not due yet: wait without blocking other partitions or missing heartbeats.
          waitUntilDue(consumer, message, dueAt)
          break
        }
        result = await settle(message, Number(message.headers[h.attempt] ?? 0) + 1)
      } else result = await settle(message, 1)
      if ('pause' in result) {
        await pauseForOutage(consumer, message.topic, message.partition, message.offset, result.pause.code)
        break
      }
      payload.resolveOffset(message.offset)
      // kafkajs sends a heartbeat only once its interval has passed, but each call is still
      // an await: every hundred messages is plenty.
      if (index % 100 === 99) await payload.heartbeat()
    }
    metrics.lagMessages.set({ group, topic: batch.topic, partition: batch.partition }, Number(batch.offsetLag()))
    const last = messages.at(-1)
    if (last)
      metrics.lagSeconds.set({ group, topic: batch.topic, partition: batch.partition }, Math.max(0, (Date.now() - last.timestamp) / 1000))
    await payload.commitOffsetsIfNecessary()
  }

  function waitUntilDue(consumer: Consumer, message: ConsumerMessage, dueAt: number): void {
    const { topic, partition, offset } = message
    consumer.pause([{ topic, partitions: [partition] }])
    consumer.seek({ topic, partition, offset })
    metrics.pausedPartitions.inc({ group, reason: 'retry-wait' })
    // Resume at the due time (checked again then); short waits keep a shutdown prompt.
    const wait = Math.min(Math.max(dueAt - Date.now(), 0), longestRetryWaitMs)
    void sleep(wait, undefined, { signal: stopping.signal })
      .catch(() => undefined)
      .then(() => {
        metrics.pausedPartitions.dec({ group, reason: 'retry-wait' })
        if (!stopping.signal.aborted) consumer.resume([{ topic, partitions: [partition] }])
      })
  }

  const concurrency = definition.partitionsConsumedConcurrently ?? 1
  await Promise.all([main.connect(), retry.connect()])
  await main.subscribe({ topics: definition.topics, fromBeginning: true })
  await retry.subscribe({ topics: definition.retrySchedule.map((d) => retryTopicName(group, d)), fromBeginning: true })
  await main.run({
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: concurrency,
    eachBatch: async (p) => await eachBatch(main, p, false),
  })
  await retry.run({
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: concurrency,
    eachBatch: async (p) => await eachBatch(retry, p, true),
  })
  logger.info({ topics: definition.topics, retrySchedule: definition.retrySchedule, effect: definition.effect }, 'consumer running')

  return {
    isReady: () => joined.size === 2 && !stopping.signal.aborted,
    async close() {
      // Let the batch in hand finish (its handlers have their own timeout), then leave.
      const graceful = Promise.all([main.disconnect(), retry.disconnect()])
      const stopped = new RetryableError('CONSUMER_STOPPING', 'the consumer stopped before the handler finished')
      const deadline = setTimeout(() => stopping.abort(stopped), definition.handlerTimeoutMs + 5_000)
      await graceful
      clearTimeout(deadline)
      stopping.abort(stopped)
      await producer.disconnect()
      logger.info('consumer stopped')
    },
  }
}

function toConsumerMessage(topic: string, partition: number, m: KafkaMessage): ConsumerMessage {
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(m.headers ?? {})) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.map(String).join(',') : String(value)
  }
  return {
    topic,
    partition,
    offset: m.offset,
    key: m.key?.toString() ?? '',
    value: m.value ?? Buffer.alloc(0),
    headers,
    timestamp: Number(m.timestamp),
  }
}
