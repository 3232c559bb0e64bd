import type { IHeaders, KafkaMessage } from 'kafkajs'
import { provenanceHeaders as h } from '../group-topics.ts'
import { printableBytes } from './printable-bytes.ts'

/** A record of a group's DLQ with its provenance, as the consumer runtime wrote it. */
export type DlqRecord = {
  partition: number
  offset: number
  key: string | null
  timestamp: number
  /** Every header as text (binary values as base64:...). */
  headers: Record<string, string>
  errorCode: string | undefined
  errorMessage: string | undefined
  attempts: number | undefined
  origin: string | undefined
  /** What makes two DLQ records the same failure: the origin, else this record's own place in the DLQ. */
  originKey: string
  lastFailureAt: number | undefined
  message: KafkaMessage
}

export function toDlqRecord(partition: number, message: KafkaMessage): DlqRecord {
  const headers = headerText(message.headers)
  const origin =
    headers[h.originTopic] === undefined
      ? undefined
      : [headers[h.originTopic], headers[h.originPartition], headers[h.originOffset]].join(':')
  return {
    partition,
    offset: Number(message.offset),
    key: message.key === null ? null : printableBytes(message.key),
    timestamp: Number(message.timestamp),
    headers,
    errorCode: headers[h.errorCode],
    errorMessage: headers[h.errorMessage],
    attempts: numberOrUndefined(headers[h.attempt]),
    origin,
    originKey: origin ?? `dlq:${partition}:${message.offset}`,
    lastFailureAt: numberOrUndefined(headers[h.lastFailureAt]),
    message,
  }
}

export type DlqFilter = { errorCode?: string; key?: string; sinceMs?: number }

/** Whether a record matches every given filter (`sinceMs` against its last failure, else its timestamp). */
export function matchesDlqFilter(record: DlqRecord, filter: DlqFilter): boolean {
  if (filter.errorCode !== undefined && record.errorCode !== filter.errorCode) return false
  if (filter.key !== undefined && record.key !== filter.key) return false
  if (filter.sinceMs !== undefined && (record.lastFailureAt ?? record.timestamp) < filter.sinceMs) return false
  return true
}

function headerText(headers: IHeaders | undefined): Record<string, string> {
  const text: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined) continue
    const values = Array.isArray(value) ? value : [value]
    text[name] = values.map((v) => (typeof v === 'string' ? v : printableBytes(v))).join(',')
  }
  return text
}

function numberOrUndefined(text: string | undefined): number | undefined {
  const n = Number(text)
  return text === undefined || text === '' || !Number.isFinite(n) ? undefined : n
}
