import type { Gen1LogRecord, Gen2DeliveryStatus, Gen2LogRecord, LogFilters, WebhookLogRecord } from '@nudj-webhooks/nudj-admin'

export type DeliveryLog = {
  /** A gen-1 row: one per attempt. */
  append(record: Gen1LogRecord): void
  /** A gen-2 row: one per delivery, replaced on each attempt. */
  upsert(record: Gen2LogRecord): void
  /** Newest first. */
  query(filters: LogFilters): WebhookLogRecord[]
}

const defaultLimit = 50
const maxLimit = 1000
const statuses: readonly string[] = ['pending', 'delivered', 'retrying', 'failed'] satisfies Gen2DeliveryStatus[]

/** The stand-in's delivery log, holding both generations' records side by side (NUDJ-WEBHOOKS.md §2.3, §2.4). */
export function createDeliveryLog(): DeliveryLog {
  const entries: { record: WebhookLogRecord; seq: number }[] = []
  let seq = 0
  return {
    append(record) {
      entries.push({ record, seq: ++seq })
    },
    upsert(record) {
      const existing = entries.find(
        (e) => isGen2(e.record) && e.record.deliveryId === record.deliveryId && e.record.webhookConfigId === record.webhookConfigId,
      )
      if (existing) Object.assign(existing, { record, seq: ++seq })
      else entries.push({ record, seq: ++seq })
    },
    query(filters) {
      return entries
        .filter((e) => matches(e.record, filters))
        .sort((a, b) => timeOf(b.record).localeCompare(timeOf(a.record)) || b.seq - a.seq)
        .slice(0, filters.limit ?? defaultLimit)
        .map((e) => structuredClone(e.record))
    },
  }
}

/**
 * Reads the query of GET /webhooks/logs. Both generations' filter names are accepted; a filter
 * only one generation's records carry (`status`, `success`) leaves out the other generation's.
 */
export function parseLogFilters(query: URLSearchParams): { filters: LogFilters; problems: string[] } {
  const filters: LogFilters = {}
  const problems: string[] = []
  for (const name of ['event', 'eventSubCategory', 'webhookConfigId'] as const) {
    const value = query.get(name)
    if (value !== null) filters[name] = value
  }
  const status = query.get('status')
  if (status !== null) {
    if (statuses.includes(status)) filters.status = status as Gen2DeliveryStatus
    else problems.push(`status must be one of ${statuses.join(', ')}`)
  }
  const success = query.get('success')
  if (success !== null) {
    if (success === 'true' || success === 'false') filters.success = success === 'true'
    else problems.push('success must be true or false')
  }
  for (const name of ['since', 'until'] as const) {
    const value = query.get(name)
    if (value === null) continue
    if (Number.isNaN(Date.parse(value))) problems.push(`${name} must be an ISO date`)
    else filters[name] = new Date(value).toISOString()
  }
  const limit = query.get('limit')
  if (limit !== null) {
    const n = Number(limit)
    if (Number.isInteger(n) && n >= 1 && n <= maxLimit) filters.limit = n
    else problems.push(`limit must be a whole number from 1 to ${maxLimit}`)
  }
  return { filters, problems }
}

function matches(record: WebhookLogRecord, filters: LogFilters): boolean {
  const name = isGen2(record) ? record.event : record.eventSubCategory
  if (filters.event !== undefined && name !== filters.event) return false
  if (filters.eventSubCategory !== undefined && name !== filters.eventSubCategory) return false
  if (filters.webhookConfigId !== undefined && record.webhookConfigId !== filters.webhookConfigId) return false
  if (filters.status !== undefined && !(isGen2(record) && record.status === filters.status)) return false
  if (filters.success !== undefined && !(!isGen2(record) && record.success === filters.success)) return false
  const time = timeOf(record)
  if (filters.since !== undefined && time < filters.since) return false
  if (filters.until !== undefined && time > filters.until) return false
  return true
}

function isGen2(record: WebhookLogRecord): record is Gen2LogRecord {
  return 'deliveryId' in record
}

function timeOf(record: WebhookLogRecord): string {
  return isGen2(record) ? record.lastAttemptAt : record.createdAt
}
