import type { Producer } from 'kafkajs'
import type { Logger } from 'pino'
import type { ConsumerMetrics, ConsumerOutcome } from './create-consumer-metrics.ts'
import type { PostgresLedger } from './create-postgres-ledger.ts'
import type { ConsumerDefinition, ConsumerMessage, HandlerContext } from './consumer-types.ts'
import { dispositionOf, messageOf, type Disposition } from './errors.ts'
import { dlqTopicName, formatDelay, retryTopicName } from './group-topics.ts'
import { moveRecord, tooLargeReason } from './move-record.ts'
import { runWithTimeout } from './run-with-timeout.ts'

export type Result = { outcome: ConsumerOutcome } | { pause: Disposition }

export type Prepared<T> = { kind: 'ready'; event: T; id: string } | { kind: 'done'; result: Result }

/**
 * What happens to one message, from bytes to a durable outcome: decode, filter, validate,
 * run the handler once per id (through the ledger) within its timeout, and on failure move
 * the message to the next retry tier or the DLQ. One log line and one metric per outcome.
 */
export function createMessageProcessor<T>(
  definition: ConsumerDefinition<T>,
  deps: { producer: Producer; ledger?: PostgresLedger; logger: Logger; metrics: ConsumerMetrics; signal: AbortSignal },
) {
  const { group } = definition
  const { metrics, logger } = deps

  // Hot path: one labelled counter child per topic and outcome, looked up once; the log
  // object is built only when the line will be written.
  const counters = new Map<string, { inc: () => void }>()
  const debug = logger.isLevelEnabled('debug')

  function record(message: ConsumerMessage, outcome: ConsumerOutcome, fields: Record<string, unknown> = {}): Result {
    const counterKey = `${message.topic}\u0000${outcome}`
    let counter = counters.get(counterKey)
    if (!counter) {
      counter = metrics.messages.labels({ group, topic: message.topic, outcome })
      counters.set(counterKey, counter)
    }
    counter.inc()
    const quiet = outcome === 'processed' || outcome === 'duplicate' || outcome === 'skipped'
    if (quiet && !debug) return { outcome }
    const line = {
      group,
      topic: message.topic,
      partition: message.partition,
      offset: message.offset,
      webhookId: message.key,
      outcome,
      ...fields,
    }
    if (outcome === 'dead-lettered') logger.error(line, 'message dead-lettered')
    else if (outcome === 'retried') logger.warn(line, 'message will be retried')
    else logger.debug(line, `message ${outcome}`)
    return { outcome }
  }

  async function fail(message: ConsumerMessage, attempt: number, failure: Disposition): Promise<Result> {
    if (failure.kind === 'pause') return { pause: failure }
    const delay = failure.kind === 'retry' ? definition.retrySchedule[attempt - 1] : undefined
    const deadLetter = { topic: dlqTopicName(group), attempt, failure, group }
    let omitted: string | undefined
    try {
      if (delay !== undefined) {
        await moveRecord(deps.producer, message, {
          topic: retryTopicName(group, delay),
          attempt,
          dueAt: Date.now() + delay,
          failure,
          group,
        })
        metrics.retries.inc({ group, tier: formatDelay(delay) })
        return record(message, 'retried', { attempt, errorCode: failure.code, retryIn: formatDelay(delay) })
      }
      await moveRecord(deps.producer, message, deadLetter)
    } catch (err) {
      // Too large for the topic even compressed: retrying the write would stall the partition
      // forever, so the DLQ gets the provenance without the value, which stays readable at
      // its origin (topic, partition, offset) for as long as that topic keeps it.
      omitted = tooLargeReason(err)
      if (omitted === undefined) throw err
      await moveRecord(deps.producer, message, { ...deadLetter, omitValue: omitted })
    }
    metrics.deadLettered.inc({ group, error_code: failure.code })
    return record(message, 'dead-lettered', { attempt, errorCode: failure.code, error: failure.message, valueOmitted: omitted })
  }

  /**
   * Decode, filter and validate: whatever can be decided without running the effect. Any
   * throw on the way (a stack overflow on a hostile body included) is a fact about the
   * message: it goes to the DLQ, never back to the batch, which would stall the partition.
   */
  async function prepare(message: ConsumerMessage, attempt: number): Promise<Prepared<T>> {
    let failure: Disposition
    let stage: 'decode' | 'validate' = 'decode'
    try {
      // Most decoders are synchronous; awaiting only a promise spares a microtask per message.
      const decoded = definition.decode(message)
      const event = decoded instanceof Promise ? await decoded : decoded
      stage = 'validate'
      if (definition.handles && !definition.handles(event)) return { kind: 'done', result: record(message, 'skipped') }
      const problems = definition.validate?.(event) ?? []
      if (problems.length === 0) return { kind: 'ready', event, id: definition.idOf?.(event, message) ?? message.key }
      failure = { kind: 'fatal', code: 'VALIDATION_FAILED', message: messageOf(problems.join('; ')) }
    } catch (err) {
      const disposition = dispositionOf(err)
      // A decoder whose own dependency is down (the schema registry) pauses the partition instead.
      if (stage === 'decode')
        failure = disposition.kind === 'pause' ? disposition : { kind: 'fatal', code: 'DECODE_FAILED', message: disposition.message }
      else
        failure = {
          kind: 'fatal',
          code: 'VALIDATION_FAILED',
          message: messageOf(`validation threw ${errorName(err)}: ${disposition.message}`),
        }
    }
    // Outside the try: a failed move is not a fact about the message (see runConsumer's settle).
    return { kind: 'done', result: await fail(message, attempt, failure) }
  }

  async function withTimeout(work: (signal: AbortSignal) => Promise<void>): Promise<void> {
    const began = performance.now()
    try {
      await runWithTimeout(definition.handlerTimeoutMs, 'the handler', deps.signal, work)
    } finally {
      metrics.handlerDuration.observe({ group }, (performance.now() - began) / 1000)
    }
  }

  async function run(message: ConsumerMessage, attempt: number, event: T, id: string): Promise<Result> {
    const ctx = (signal: AbortSignal): HandlerContext<'none'> => ({
      logger: logger.child({ webhookId: id, topic: message.topic, partition: message.partition, offset: message.offset, attempt }),
      attempt,
      signal,
      message,
      id,
    })
    try {
      if (definition.effect === 'none') {
        await withTimeout(async (signal) => await definition.handler(event, ctx(signal)))
        return record(message, 'processed')
      }
      const { ledger } = deps
      // runConsumer makes the ledger for every effect but 'none'.
      if (!ledger) throw new Error(`consumer ${group}: effect '${definition.effect}' needs the ledger`)
      if (definition.effect === 'postgres') {
        let done = false
        await withTimeout(async (signal) => {
          done = await ledger.runOnce(group, id, async (tx) => await definition.handler(event, { ...ctx(signal), tx }), signal)
        })
        return record(message, done ? 'processed' : 'duplicate')
      }
      const claim = await ledger.claim(group, id)
      if (claim.status === 'duplicate') return record(message, 'duplicate')
      const unfinishedClaim = claim.status === 'unfinished'
      await withTimeout(async (signal) => await definition.handler(event, { ...ctx(signal), unfinishedClaim }))
      await ledger.complete(group, id)
      return record(message, 'processed', unfinishedClaim ? { resumedUnfinishedClaim: true } : {})
    } catch (err) {
      return await fail(message, attempt, dispositionOf(err))
    }
  }

  return {
    logger,
    prepare,
    run,
    fail,
    record,
    /** One message, start to finish. */
    async process(message: ConsumerMessage, attempt: number): Promise<Result> {
      const prepared = await prepare(message, attempt)
      return prepared.kind === 'done' ? prepared.result : await run(message, attempt, prepared.event, prepared.id)
    },
  }
}

function errorName(err: unknown): string {
  return err instanceof Error ? err.name : typeof err
}
