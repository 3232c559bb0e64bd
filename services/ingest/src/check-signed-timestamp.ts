/** Why a signed body's timestamp does not bound a replay. */
export type TimestampProblem = {
  reason: 'MISSING_TIMESTAMP' | 'MALFORMED_TIMESTAMP' | 'TIMESTAMP_OUT_OF_TOLERANCE'
  detail: string
}

// An ISO 8601 date-time with its offset, as Nudj sends it (2026-04-17T14:30:00.000Z): a
// date-time without an offset would be read in the server's own time zone.
const isoDateTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i

/**
 * Bounds a replay of a gen-2 delivery: its signature covers only the body, so the body's own
 * `timestamp` (`createdAt` for a gen-1 envelope) is the signed time of sending, and it must be
 * within `toleranceMs` of now, either way (the same rule as Standard Webhooks).
 */
export function checkSignedTimestamp(
  body: Record<string, unknown>,
  field: 'timestamp' | 'createdAt',
  nowMs: number,
  toleranceMs: number,
): TimestampProblem | undefined {
  const value = body[field]
  if (value === undefined || value === null || value === '')
    return { reason: 'MISSING_TIMESTAMP', detail: `the signed body has no ${field}, so a replay of it cannot be bounded` }
  const at = typeof value === 'string' && isoDateTime.test(value) ? Date.parse(value) : Number.NaN
  if (Number.isNaN(at))
    return { reason: 'MALFORMED_TIMESTAMP', detail: `the signed body's ${field} must be an ISO 8601 date-time with an offset` }
  if (Math.abs(nowMs - at) > toleranceMs) {
    return {
      reason: 'TIMESTAMP_OUT_OF_TOLERANCE',
      detail: `the signed body's ${field} is more than ${Math.round(toleranceMs / 1000)} s from now (a replay, or a delivery older than the tolerance)`,
    }
  }
  return undefined
}
