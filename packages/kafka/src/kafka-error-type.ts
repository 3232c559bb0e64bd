/**
 * Kafka's name for an error kafkajs threw (MESSAGE_TOO_LARGE, OUT_OF_ORDER_SEQUENCE_NUMBER...),
 * or undefined: kafkajs keeps it as `type` on its protocol error, which its retrier wraps
 * (`cause`) in a non-retriable one.
 */
export function kafkaErrorType(err: unknown): string | undefined {
  for (let e = err, depth = 0; typeof e === 'object' && e !== null && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const type = (e as { type?: unknown }).type
    if (typeof type === 'string') return type
  }
  return undefined
}
