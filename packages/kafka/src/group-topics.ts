/** A consumer group's own topics: one per retry delay, then the dead-letter topic. */

/** `10000` → `10s`, `60000` → `1m`, `3600000` → `1h`, `1500` → `1500ms`. */
export function formatDelay(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`
  if (ms % 60_000 === 0) return `${ms / 60_000}m`
  if (ms % 1000 === 0) return `${ms / 1000}s`
  return `${ms}ms`
}

/** `email.retry.30s` */
export function retryTopicName(group: string, delayMs: number): string {
  return `${group}.retry.${formatDelay(delayMs)}`
}

/** `email.dlq` */
export function dlqTopicName(group: string): string {
  return `${group}.dlq`
}

/** The group id of the consumer that reads a group's retry topics. */
export function retryGroupId(group: string): string {
  return `${group}.retry`
}

/**
 * Headers the runtime adds when it moves a record to a retry or dead-letter topic. The
 * record's own key, value and headers are kept as they were.
 */
export const provenanceHeaders = {
  /** Attempts made so far (1 after the first failure). */
  attempt: 'x-retry-attempt',
  /** When the record may be tried again, epoch milliseconds. */
  dueAt: 'x-retry-due-at',
  /** Where the record was first read. */
  originTopic: 'x-origin-topic',
  originPartition: 'x-origin-partition',
  originOffset: 'x-origin-offset',
  group: 'x-consumer-group',
  errorCode: 'x-error-code',
  errorMessage: 'x-error-message',
  /** Epoch milliseconds of the first and the latest failure. */
  firstFailureAt: 'x-first-failure-at',
  lastFailureAt: 'x-last-failure-at',
  /** Set by `ops dlq redrive`: epoch milliseconds, and who or what asked. */
  redrivenAt: 'x-redriven-at',
} as const
