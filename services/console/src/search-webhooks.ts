import { lookupEvent, topicForCategory } from '@nudj-webhooks/contracts'
import type { ConsoleDeps } from './console-deps.ts'
import type { RecordSummary } from './create-record-reader.ts'
import { scanWindow } from './scan-window.ts'

export type SearchQuery = { webhookId?: string; userId?: string; event?: string; fromMs: number; untilMs?: number; limit: number }
export type SearchResult = { results: RecordSummary[]; read: number; truncated: boolean; topics: string[] }

/**
 * Webhooks in a time window by id, user id and event name (as sent or canonical). A webhook
 * id is a record key: every topic is searched, retries and DLQs included. Otherwise the
 * category topics (only the event's own when the catalog knows it) are read, and a record is
 * decoded only when its bytes hold the user id and event name searched for (Avro keeps
 * strings as UTF-8, and the body as sent), then checked exactly. Newest first.
 */
export async function searchWebhooks(deps: ConsoleDeps, q: SearchQuery): Promise<SearchResult> {
  const category = q.event === undefined ? undefined : lookupEvent(q.event)?.category
  const topics =
    q.webhookId !== undefined
      ? deps.roles.webhookTopics
      : category !== undefined
        ? [topicForCategory(category, deps.topicPrefix)].filter((t) => deps.roles.categoryTopics.includes(t))
        : deps.roles.categoryTopics
  const needles = [q.webhookId, q.userId, q.event].filter((n): n is string => n !== undefined).map((n) => Buffer.from(n))
  const scan = await scanWindow(deps.kafka, deps.admin, {
    topics,
    fromMs: q.fromMs,
    untilMs: q.untilMs,
    keep: (message) =>
      q.webhookId !== undefined
        ? message.key?.toString() === q.webhookId
        : message.value !== null && needles.every((n) => message.value!.includes(n)),
    maxFound: 10 * q.limit,
    ...deps.limits,
  })
  const summaries = await Promise.all(scan.found.map(async (f) => await deps.reader.summarize(f.topic, f.partition, f.message)))
  const results = summaries
    .filter(
      (s) =>
        (q.userId === undefined || s.userId === q.userId) && (q.event === undefined || s.event === q.event || s.canonicalEvent === q.event),
    )
    .sort((a, b) => b.timestamp - a.timestamp)
    .slice(0, q.limit)
  return { results, read: scan.read, truncated: scan.truncated, topics }
}
