// Only these request headers are stored with a record; an allowlist, so that a new
// credential header can never slip into Kafka.
const kept = [
  'content-type',
  'content-length',
  'user-agent',
  'x-nudj-event',
  'x-nudj-delivery-id',
  'x-webhook-source',
  'webhook-id',
  'webhook-timestamp',
  'traceparent',
  'x-request-id',
]

/** The stored subset of request headers, as plain strings. */
export function selectHeaders(headers: Record<string, unknown>): Record<string, string> {
  const selected: Record<string, string> = {}
  for (const name of kept) {
    const value = headers[name]
    if (typeof value === 'string') selected[name] = value
    else if (Array.isArray(value)) selected[name] = value.join(', ')
  }
  return selected
}
