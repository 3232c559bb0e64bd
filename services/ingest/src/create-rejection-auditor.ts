import { createHash } from 'node:crypto'
import type { WebhookRejected } from '@nudj-webhooks/contracts'
import type { Logger } from 'pino'
import { createRateLimiter } from './create-rate-limiter.ts'
import type { IngestMetrics } from './create-ingest-metrics.ts'
import { selectHeaders } from './select-headers.ts'

export type RecordRejection = (
  rejection: Omit<WebhookRejected, 'headers' | 'bodySha256' | 'bodyBytes'>,
  headers: Record<string, unknown>,
  body: Buffer,
) => void

/** Every source name that is not configured shares one audit budget. */
const unknownSources = '(unknown source)'

/**
 * Writes refused requests to nudj.webhooks.rejected for audit: rate-limited per configured
 * source, with one shared budget for every other name (each made-up source path would
 * otherwise get a budget of its own, and a flood of them as many audit records), without
 * secrets or the body, and never delaying the answer (a lost audit record is counted, not
 * retried).
 */
export function createRejectionAuditor(
  publish: (key: string, rejection: WebhookRejected) => Promise<void>,
  perSecond: number,
  knownSources: ReadonlySet<string>,
  metrics: IngestMetrics,
  logger: Logger,
): RecordRejection {
  const limiter = createRateLimiter(perSecond)
  return (rejection, headers, body) => {
    const budget = knownSources.has(rejection.source) ? rejection.source : unknownSources
    if (perSecond <= 0 || !limiter.allow(budget)) {
      metrics.auditDropped.inc()
      return
    }
    const record: WebhookRejected = {
      ...rejection,
      headers: selectHeaders(headers),
      bodySha256: createHash('sha256').update(body).digest('hex'),
      bodyBytes: body.length,
    }
    // Deliberately not awaited: the caller's answer does not wait for the audit trail.
    void publish(rejection.source, record).catch((err: unknown) => {
      metrics.auditDropped.inc()
      logger.warn({ err, reason: rejection.reason }, 'could not record a rejection for audit')
    })
  }
}
