import { UsageError } from '@nudj-webhooks/kafka'

/** `from` and `until` (ISO 8601 with a zone) of a query; `from` defaults to `defaultMs` ago. */
export function parseWindow(query: { from?: string; until?: string }, defaultMs: number): { fromMs: number; untilMs?: number } {
  const fromMs = query.from === undefined || query.from === '' ? Date.now() - defaultMs : time(query.from, 'from')
  const untilMs = query.until === undefined || query.until === '' ? undefined : time(query.until, 'until')
  if (untilMs !== undefined && untilMs <= fromMs) throw new UsageError('until must be after from')
  return { fromMs, untilMs }
}

function time(text: string, name: string): number {
  const ms = Date.parse(text)
  if (!/^\d{4}-\d{2}-\d{2}T.*(Z|[+-]\d{2}:?\d{2})$/.test(text) || Number.isNaN(ms)) {
    throw new UsageError(`${name} must be an ISO 8601 time with a zone, such as 2026-03-01T09:30:00Z; got '${text}'`)
  }
  return ms
}
