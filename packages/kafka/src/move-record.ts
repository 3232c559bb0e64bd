import { CompressionTypes, type Producer } from 'kafkajs'
import type { ConsumerMessage } from './consumer-types.ts'
import type { Disposition } from './errors.ts'
import { provenanceHeaders as h } from './group-topics.ts'
import { kafkaErrorType } from './kafka-error-type.ts'

export type Move = {
  topic: string
  attempt: number
  dueAt?: number
  failure: Disposition
  group: string
  /** Write the provenance without the value and the record's own headers; the reason goes in `x-value-omitted`. */
  omitValue?: string
}

/** Headers of a dead-letter record written without its value (see `omitValue`). */
export const omittedValueHeaders = {
  /** Why the value is not there: the broker's error, e.g. `MESSAGE_TOO_LARGE`. */
  reason: 'x-value-omitted',
  /** The original value's size in bytes. */
  bytes: 'x-origin-value-bytes',
} as const

const tooLargeTypes = new Set(['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE'])

/** The broker's reason when it refused a record for its size, else undefined. */
export function tooLargeReason(err: unknown): string | undefined {
  const type = kafkaErrorType(err)
  return type !== undefined && tooLargeTypes.has(type) ? type : undefined
}

/**
 * Writes a failed message to a retry or dead-letter topic (acks=-1) with its provenance,
 * keeping its key, value and own headers. Resolves only once Kafka has it: the caller
 * commits the original offset after that, never before.
 */
export async function moveRecord(producer: Producer, message: ConsumerMessage, move: Move): Promise<void> {
  const now = String(Date.now())
  const headers: Record<string, string> = {
    ...(move.omitValue === undefined ? message.headers : {}),
    [h.attempt]: String(move.attempt),
    [h.group]: move.group,
    [h.errorCode]: move.failure.code,
    [h.errorMessage]: move.failure.message.slice(0, 1000),
    [h.lastFailureAt]: now,
    // Where it came from the first time; a retry record already carries that.
    [h.originTopic]: message.headers[h.originTopic] ?? message.topic,
    [h.originPartition]: message.headers[h.originPartition] ?? String(message.partition),
    [h.originOffset]: message.headers[h.originOffset] ?? message.offset,
    [h.firstFailureAt]: message.headers[h.firstFailureAt] ?? now,
  }
  if (move.dueAt !== undefined) headers[h.dueAt] = String(move.dueAt)
  else delete headers[h.dueAt]
  if (move.omitValue !== undefined) {
    headers[omittedValueHeaders.reason] = move.omitValue
    headers[omittedValueHeaders.bytes] = String(message.value.length)
  }
  // Compressed: a record near max.message.bytes must still fit with the provenance headers added.
  await producer.send({
    topic: move.topic,
    acks: -1,
    compression: CompressionTypes.GZIP,
    messages: [{ key: message.key, value: move.omitValue === undefined ? message.value : null, headers }],
  })
}
