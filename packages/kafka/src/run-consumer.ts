import { setTimeout as sleep } from 'node:timers/promises'
import { Partitioners, type Consumer, type EachBatchPayload, type KafkaMessage } from 'kafkajs'
import { createConsumerMetrics } from './create-consumer-metrics.ts'
import { createMessageProcessor, type Result } from './create-message-processor.ts'
import { createPostgresLedger } from './create-postgres-ledger.ts'
import { messageOf, RetryableError } from './errors.ts'
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
  /**
   * Bumped when a rebalance begins and at every join: a batch of an earlier generation stops
   * after the message in hand and commits nothing (its partition may be another's now).
   */
  const generations = new Map<Consumer, number>()
  const nextGeneration = (consumer: Consumer): void => void generations.set(consumer, (generations.get(consumer) ?? 0) + 1)

  // A partition resumed (its batch done) joins the next fetch: an idle fetch waits at most
  // 100 ms, so that it is read again soon even when nothing else arrives. A killed member
  // keeps its partitions for the session timeout: 6 s (the broker's least by default) has
  // another member serve them 6 to 7 s after a SIGKILL, not kafkajs' 30 s
  // (bench/consumer/recovery.ts). kafkajs' fetch loop, never held up by a batch (see
  // eachBatch), keeps beating for a member with a slow batch all the same. A rebalance waits
  // for every live member to rejoin, at most rebalanceTimeout: a member rejoins at once now
  // (its batches in hand stop after their message in hand, see `generations`), so more than
  // the handler timeout and a move of a few seconds only lets a wedged member hold up the
  // whole group (kafkajs' default is 60 s).
  const sessionTimeout = definition.sessionTimeoutMs ?? defaultSessionTimeoutMs
  const options = {
    allowAutoTopicCreation: false,
    maxWaitTimeInMs: 100,
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
      nextGeneration(consumer)
      metrics.rebalances.inc({ group })
    })
    consumer.on(consumer.events.REBALANCING, () => nextGeneration(consumer))
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
    metrics.pausedPartitions.inc({ group, topic, partition, reason: 'outage' })
    logger.warn({ topic, partition, dependency: code }, 'dependency down: partition paused until it answers')
    void (async () => {
      for (let i = 0; !stopping.signal.aborted; i++) {
        await sleep(outageBackoffMs[Math.min(i, outageBackoffMs.length - 1)] as number, undefined, { signal: stopping.signal }).catch(
          () => undefined,
        )
        if (code === 'SETTLE_FAILED' || (await probe().catch(() => false))) break
      }
      metrics.pausedPartitions.dec({ group, topic, partition, reason: 'outage' })
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

  const tasks = new Set<Promise<void>>()
  const limit = createLimit(definition.partitionsConsumedConcurrently ?? 1)
  let closing = false

  /**
   * kafkajs fetches again only once every batch of the last fetch is handled, so one slow
   * batch would hold up every partition of its broker. Instead each batch becomes a task of
   * its own and eachBatch returns at once: its partition is paused until the task is done
   * (one batch at a time, in order), while the others are fetched again meanwhile. The fetch
   * loop keeps beating, so a slow batch needs no heartbeats of its own; when it hears of a
   * rebalance (REBALANCING, or a join after the coordinator forgot this member), the batch
   * in hand stops after its message in hand, so the member rejoins at once rather than hold
   * up the group, and the rest stays uncommitted for the partition's next owner. That owner
   * may start on the message still in hand here: the ledger keeps Postgres effects to once;
   * an external effect needs its own guard (docs/adr/0004).
   */
  function eachBatch(consumer: Consumer, payload: EachBatchPayload, retries: boolean): void {
    const { topic, partition, messages } = payload.batch
    // Unresolved, so read again by this partition's owner (after a restart or rebalance).
    if (closing || messages.length === 0) return
    consumer.pause([{ topic, partitions: [partition] }])
    const generation = generations.get(consumer)
    const live = (): boolean =>
      payload.isRunning() && !payload.isStale() && !stopping.signal.aborted && generations.get(consumer) === generation
    const task = limit(async () => {
      let held = false
      try {
        held = await handleBatch(consumer, payload, retries, live)
        if (generations.get(consumer) === generation) await payload.commitOffsetsIfNecessary(payload.uncommittedOffsets())
      } catch (err) {
        // Whatever was not resolved is fetched again once the partition resumes.
        logger.warn({ err, topic, partition }, 'batch ended early; its partition reads the rest again')
      } finally {
        if (!held) consumer.resume([{ topic, partitions: [partition] }])
      }
    })
    tasks.add(task)
    void task.finally(() => tasks.delete(task))
  }

  /** Settles a batch's messages in order; true when it left its partition paused (outage, retry wait). */
  async function handleBatch(consumer: Consumer, payload: EachBatchPayload, retries: boolean, live: () => boolean): Promise<boolean> {
    const { batch } = payload
    // A batch that waited for a free slot (createLimit) while the group rebalanced, or until
    // close, is not this member's to start.
    if (closing || !live()) return false
    const messages = batch.messages.map((m) => toConsumerMessage(batch.topic, batch.partition, m))
    const handled = await processBatchOnce(definition, ledger, processor, messages, stopping.signal, retries)
    let held = false
    for (const [index, message] of messages.entries()) {
      if (!live()) break
      let result: Result
      const preset = handled.get(index)
      if (preset) result = preset
      else if (retries) {
        const dueAt = Number(message.headers[h.dueAt] ?? 0)
        if (dueAt > Date.now()) {
          // Not due yet: wait without blocking other partitions.
          waitUntilDue(consumer, message, dueAt)
          held = true
          break
        }
        result = await settle(message, Number(message.headers[h.attempt] ?? 0) + 1)
      } else result = await settle(message, 1)
      if ('pause' in result) {
        await pauseForOutage(consumer, message.topic, message.partition, message.offset, result.pause.code)
        held = true
        break
      }
      payload.resolveOffset(message.offset)
    }
    metrics.lagMessages.set({ group, topic: batch.topic, partition: batch.partition }, Number(batch.offsetLag()))
    const last = messages.at(-1)
    if (last)
      metrics.lagSeconds.set({ group, topic: batch.topic, partition: batch.partition }, Math.max(0, (Date.now() - last.timestamp) / 1000))
    return held
  }

  function waitUntilDue(consumer: Consumer, message: ConsumerMessage, dueAt: number): void {
    const { topic, partition, offset } = message
    consumer.pause([{ topic, partitions: [partition] }])
    consumer.seek({ topic, partition, offset })
    metrics.pausedPartitions.inc({ group, topic, partition, reason: 'retry-wait' })
    // Resume at the due time (checked again then); short waits keep a shutdown prompt.
    const wait = Math.min(Math.max(dueAt - Date.now(), 0), longestRetryWaitMs)
    void sleep(wait, undefined, { signal: stopping.signal })
      .catch(() => undefined)
      .then(() => {
        metrics.pausedPartitions.dec({ group, topic, partition, reason: 'retry-wait' })
        if (!stopping.signal.aborted) consumer.resume([{ topic, partitions: [partition] }])
      })
  }

  const retryTopics = definition.retrySchedule.map((d) => retryTopicName(group, d))
  await Promise.all([main.connect(), retry.connect()])
  await main.subscribe({ topics: definition.topics, fromBeginning: true })
  await retry.subscribe({ topics: retryTopics, fromBeginning: true })
  // eachBatch only starts a task (partitionsConsumedConcurrently bounds the tasks: createLimit),
  // and each task commits what it resolved: kafkajs' own commit after every batch would be one
  // more round trip in its fetch loop.
  const run = { eachBatchAutoResolve: false, autoCommit: false }
  await main.run({ ...run, eachBatch: async (p) => eachBatch(main, p, false) })
  await retry.run({ ...run, eachBatch: async (p) => eachBatch(retry, p, true) })
  logger.info({ topics: definition.topics, retrySchedule: definition.retrySchedule, effect: definition.effect }, 'consumer running')

  return {
    isReady: () => joined.size === 2 && !stopping.signal.aborted,
    async close() {
      // Take no new batch, let those in hand finish (their handlers have their own timeout)
      // and commit, then leave.
      // (kafkajs refuses to pause a consumer it has disconnected: a second close skips it.)
      if (!closing) {
        main.pause(definition.topics.map((topic) => ({ topic })))
        retry.pause(retryTopics.map((topic) => ({ topic })))
      }
      closing = true
      const stopped = new RetryableError('CONSUMER_STOPPING', 'the consumer stopped before the handler finished')
      const deadline = setTimeout(() => stopping.abort(stopped), definition.handlerTimeoutMs + 5_000)
      await Promise.allSettled([...tasks])
      await Promise.all([main.disconnect(), retry.disconnect()])
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

/** Runs at most `n` of the functions it is given at once; the others wait their turn, in order. */
function createLimit(n: number): (work: () => Promise<void>) => Promise<void> {
  let active = 0
  const waiting: (() => void)[] = []
  return async (work) => {
    if (active >= n) await new Promise<void>((resolve) => waiting.push(resolve))
    else active += 1
    try {
      await work()
    } finally {
      const next = waiting.shift()
      if (next) next()
      else active -= 1
    }
  }
}
