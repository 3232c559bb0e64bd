import { setImmediate } from 'node:timers/promises'
import type { ConsumerDefinition, ConsumerMessage } from './consumer-types.ts'
import type { PostgresLedger } from './create-postgres-ledger.ts'
import type { createMessageProcessor, Result } from './create-message-processor.ts'
import { runWithTimeout } from './run-with-timeout.ts'

type Processor<T> = ReturnType<typeof createMessageProcessor<T>>

/**
 * The fast path for batch handlers with effects in Postgres: one transaction for a whole
 * fetched batch, its ledger rows included. Answers the outcome of each message it settled,
 * by index; when the batch fails, it answers none and the caller goes message by message,
 * which isolates the bad one. A batch gets one handler timeout as a whole: past it, its
 * transaction is abandoned (rolled back, nothing of it committed) and the messages are
 * handled one by one, each with its own timeout, so only a slow one is retried.
 */
export async function processBatchOnce<T>(
  definition: ConsumerDefinition<T>,
  ledger: PostgresLedger | undefined,
  processor: Processor<T>,
  messages: ConsumerMessage[],
  signal: AbortSignal,
  retries: boolean,
): Promise<Map<number, Result>> {
  const settled = new Map<number, Result>()
  if (retries || !ledger || definition.effect !== 'postgres' || !definition.batchHandler || messages.length < 2) return settled

  const ready: { index: number; event: T; id: string; message: ConsumerMessage }[] = []
  const early = new Map<number, Result>()
  let yielded = performance.now()
  for (const [index, message] of messages.entries()) {
    // Decoding a fetched batch is CPU work on promises that are already resolved, which never
    // lets a timer or socket run: every 50 ms of it, let the fetch loop (and its heartbeat) and
    // the other partitions' batches go on, or a large batch on a busy machine outlasts the
    // session and the member is dropped from its group.
    if (performance.now() - yielded > 50) {
      await setImmediate()
      yielded = performance.now()
    }
    // prepare throws only when an outcome could not be made durable (a failed move): what is
    // decided stays decided, and the caller goes message by message from there, pausing on it.
    const prepared = await processor.prepare(message, 1).catch(() => undefined)
    if (!prepared) return early
    if (prepared.kind === 'done') early.set(index, prepared.result)
    else ready.push({ index, event: prepared.event, id: prepared.id, message })
  }
  // The first of several messages with one id is the one that counts; the rest are duplicates.
  const firstById = new Map<string, number>()
  for (const item of ready) if (!firstById.has(item.id)) firstById.set(item.id, item.index)
  try {
    const fresh = await runWithTimeout(
      definition.handlerTimeoutMs,
      `a batch of ${messages.length} messages`,
      signal,
      async (batchSignal) =>
        await ledger.runBatchOnce(
          definition.group,
          [...firstById.keys()],
          async (tx, freshIds) => {
            const items = ready.filter((r) => freshIds.has(r.id) && firstById.get(r.id) === r.index)
            await definition.batchHandler!(items, { tx, logger: processor.logger, signal: batchSignal })
          },
          batchSignal,
        ),
    )
    for (const [index, result] of early) settled.set(index, result)
    for (const item of ready) {
      const isFirst = firstById.get(item.id) === item.index
      settled.set(item.index, processor.record(item.message, isFirst && fresh.has(item.id) ? 'processed' : 'duplicate'))
    }
  } catch (err) {
    processor.logger.warn({ err, messages: messages.length }, 'batch transaction failed; handling the batch message by message')
    // Messages decided before the transaction (skipped, dead-lettered) stay decided.
    for (const [index, result] of early) settled.set(index, result)
  }
  return settled
}
