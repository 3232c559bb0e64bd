import { envelopeHeadroomBytes } from './config.ts'

export type MessageLimits = { bodyLimitBytes: number; maxBatchBytes: number }

/**
 * Problems with the body limit and batch size against the topics' max.message.bytes, one
 * line each (empty when there are none). A body at the limit must fit in a record with
 * its envelope, and again on a retry or DLQ topic with the provenance headers; a batch
 * must fit in one partition's record batch. Otherwise the broker refuses the record
 * after the body was accepted, and a consumer cannot move it.
 */
export function checkMessageLimits(limits: Map<string, number>, { bodyLimitBytes, maxBatchBytes }: MessageLimits): string[] {
  if (limits.size === 0) return []
  // The smallest limit decides; name the topics that have it.
  const maxMessageBytes = Math.min(...limits.values())
  const smallest = [...limits].filter(([, bytes]) => bytes === maxMessageBytes).map(([topic]) => topic)
  const topics = smallest.length > 3 ? `${smallest.slice(0, 3).join(', ')} and ${smallest.length - 3} more` : smallest.join(', ')
  const room = maxMessageBytes - envelopeHeadroomBytes
  const problems: string[] = []
  if (bodyLimitBytes > room) {
    problems.push(
      `INGEST_BODY_LIMIT_BYTES (${bodyLimitBytes}) leaves less than ${envelopeHeadroomBytes} bytes for the envelope below max.message.bytes (${maxMessageBytes}) of ${topics}: lower it to ${room} or less, or raise the topics' max.message.bytes`,
    )
  }
  if (maxBatchBytes > room) {
    problems.push(
      `KAFKA_MAX_BATCH_BYTES (${maxBatchBytes}) must be at most ${room} (max.message.bytes ${maxMessageBytes} of ${topics} less ${envelopeHeadroomBytes})`,
    )
  }
  return problems
}
