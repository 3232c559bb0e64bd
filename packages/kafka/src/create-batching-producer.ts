import { setTimeout as sleep } from 'node:timers/promises'
import { RetryableError } from './errors.ts'
import { recordBytes, type Compression, type CreateProducerDriver, type ProduceRecord, type ProducerDriver } from './producer-driver.ts'

export type OutgoingRecord = ProduceRecord

export type BatchingProducerOptions = {
  /** How long the first record of an idle producer waits for company. */
  lingerMs: number
  maxBatchRecords: number
  /** Estimated bytes per batch (a record larger than this goes alone); keep it below the topics' max.message.bytes. */
  maxBatchBytes: number
  /** Queued plus in-flight records beyond which `send` refuses at once (backpressure). */
  maxPendingRecords: number
  /** Queued plus in-flight bytes beyond which `send` refuses at once. */
  maxPendingBytes: number
  compression: Compression
  /** A batch unacknowledged for this long is given up (its sends rejected) and the producer replaced. */
  stallMs: number
  /** Told about every batch sent, for metrics. */
  onBatch?: (batch: { records: number; bytes: number; durationMs: number; ok: boolean }) => void
  /** Told each time a failure replaces the producer; `code` says why (Kafka's error name, or PRODUCE_STALLED). */
  onReplace?: (event: { code: string; message: string }) => void
}

export type BatchingProducer = {
  /** Resolves once the broker acknowledged this record's batch (acks=-1). */
  send: (record: OutgoingRecord) => Promise<void>
  /** Records queued or in flight. */
  pending: () => number
  /** Why it cannot produce right now (replacing the producer, a batch stalled), or undefined when it can. */
  unready: () => string | undefined
  /** Sends what is queued, waits for it, then disconnects. */
  close: () => Promise<void>
}

type Entry = { record: OutgoingRecord; bytes: number; resolve: () => void; reject: (err: Error) => void }
type Batch = { entries: Entry[]; bytes: number; began: number }

/**
 * Lets concurrent callers share produce requests: records queue while a batch is in
 * flight and go together in the next one, each caller resolving on its own batch's
 * acknowledgement. One batch in flight at a time keeps the idempotent producer's
 * sequence numbers in order.
 *
 * A failed batch replaces the producer (a new producer id) before the next one goes: the
 * client's sequence numbers may no longer match the broker's after a failure (kafkajs rolls
 * back every partition of a request, also those the broker wrote), and the next batch
 * could then be taken as a duplicate and acknowledged without being written, or refused
 * forever. Its callers are rejected (ingest answers 503, Nudj retries); what the broker did
 * write of it is a duplicate the consumers drop by webhook id.
 */
export async function createBatchingProducer(
  createDriver: CreateProducerDriver,
  options: BatchingProducerOptions,
): Promise<BatchingProducer> {
  let driver: ProducerDriver | undefined = await createDriver()
  let replacing: { code: string; done: Promise<void> } | undefined
  const queue: Entry[] = []
  let queuedBytes = 0
  let inFlight: Batch | undefined
  let timer: NodeJS.Timeout | undefined
  let idle: (() => void) | undefined
  const closing = new AbortController()
  const watchdog = setInterval(
    () => {
      if (inFlight && performance.now() - inFlight.began > options.stallMs) {
        fail(inFlight, 'PRODUCE_STALLED', `Kafka did not acknowledge a batch within ${options.stallMs} ms`)
      }
    },
    Math.min(1000, options.stallMs),
  ).unref()

  function schedule(): void {
    if (inFlight || timer || queue.length === 0) return
    if (queue.length >= options.maxBatchRecords || queuedBytes >= options.maxBatchBytes) return flush()
    timer = setTimeout(flush, options.lingerMs)
  }

  function takeBatch(): Batch {
    let count = 0
    let bytes = 0
    // The first record always goes, however large: the body limit keeps it below max.message.bytes.
    while (count < queue.length && count < options.maxBatchRecords) {
      const next = (queue[count] as Entry).bytes
      if (count > 0 && bytes + next > options.maxBatchBytes) break
      bytes += next
      count += 1
    }
    queuedBytes -= bytes
    return { entries: queue.splice(0, count), bytes, began: performance.now() }
  }

  function flush(): void {
    if (timer) {
      clearTimeout(timer)
      timer = undefined
    }
    if (inFlight || queue.length === 0) return
    const batch = takeBatch()
    inFlight = batch
    void sendBatch(batch)
  }

  async function sendBatch(batch: Batch): Promise<void> {
    try {
      await replacing?.done
      if (!driver) throw new Error('the producer is closed')
      await driver.send(
        batch.entries.map((e) => e.record),
        { compression: options.compression },
      )
      if (inFlight !== batch) return // given up on as stalled: its callers were answered already
      for (const entry of batch.entries) entry.resolve()
      done(batch, true)
    } catch (err) {
      fail(batch, (err as { code?: string }).code ?? 'PRODUCE_FAILED', (err as Error).message, err)
    }
  }

  function fail(batch: Batch, code: string, message: string, cause?: unknown): void {
    if (inFlight !== batch) return
    const error = new RetryableError('PRODUCE_FAILED', `Kafka did not acknowledge the batch (${code}): ${message}`, { cause })
    for (const entry of batch.entries) entry.reject(error)
    if (!replacing && !closing.signal.aborted) replace(code, message)
    done(batch, false)
  }

  function done(batch: Batch, ok: boolean): void {
    options.onBatch?.({ records: batch.entries.length, bytes: batch.bytes, durationMs: performance.now() - batch.began, ok })
    inFlight = undefined
    // Whatever queued meanwhile has waited a whole round trip already: send it now.
    if (queue.length > 0) flush()
    else idle?.()
  }

  /** Closes the failed producer and connects a new one (a new producer id), retrying until it connects or the producer closes. */
  function replace(code: string, message: string): void {
    options.onReplace?.({ code, message })
    const old = driver
    driver = undefined
    const done = (async () => {
      // Not awaited for long: a wedged client may never finish closing.
      void old?.close().catch(() => undefined)
      for (let delay = 100; !closing.signal.aborted; delay = Math.min(delay * 2, 5000)) {
        try {
          driver = await createDriver()
          return
        } catch {
          await sleep(delay, undefined, { signal: closing.signal }).catch(() => undefined)
        }
      }
    })().finally(() => (replacing = undefined))
    replacing = { code, done }
  }

  return {
    send(record) {
      const bytes = recordBytes(record)
      const waiting = queue.length + (inFlight?.entries.length ?? 0)
      if (waiting >= options.maxPendingRecords || (waiting > 0 && queuedBytes + (inFlight?.bytes ?? 0) + bytes > options.maxPendingBytes)) {
        return Promise.reject(new RetryableError('PRODUCER_OVERLOADED', `${waiting} records are already waiting for Kafka`))
      }
      return new Promise((resolve, reject) => {
        queue.push({ record, bytes, resolve, reject })
        queuedBytes += bytes
        schedule()
      })
    },
    pending: () => queue.length + (inFlight?.entries.length ?? 0),
    unready() {
      if (replacing) return `replacing the Kafka producer after ${replacing.code}`
      if (!driver) return 'the Kafka producer is closed'
      if (inFlight && performance.now() - inFlight.began > options.stallMs / 2) {
        return `a batch has waited ${Math.round(performance.now() - inFlight.began)} ms for Kafka`
      }
      return undefined
    },
    async close() {
      if (queue.length > 0 || inFlight) {
        await new Promise<void>((resolve) => {
          idle = resolve
          flush()
        })
      }
      clearInterval(watchdog)
      closing.abort()
      await replacing?.done
      await driver?.close()
      driver = undefined
    },
  }
}
