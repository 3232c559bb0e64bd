import { rejectedTopic } from '@nudj-webhooks/contracts'
import { countPrefixTopics, readTopicKeys } from '../lib/read-topic-keys.ts'

export type WrittenAudit = {
  /** Records per `<prefix>.*` topic. */
  topics: Record<string, number>
  /** Records in category topics whose key is not an acknowledged control. */
  unauthenticated_written: number
  /** Acknowledged controls not found in any category topic. */
  controls_missing: number
  /** Controls stored more than once (a produce retried inside ingest); not expected, reported. */
  controls_duplicated: number
  /** Records on `<prefix>.rejected` (the audit of refusals, rate-limited by ingest). */
  audit_records: number
}

/**
 * Everything ingest wrote under the run's own topic prefix: the category topics may hold the
 * control deliveries and nothing else; the rejection audit topic is reported, not judged.
 */
export async function auditWritten(brokers: string[], prefix: string, controlIds: string[]): Promise<WrittenAudit> {
  const counts = await countPrefixTopics(brokers, prefix)
  const audit = rejectedTopic(prefix)
  const categoryTopics = counts.filter((c) => c.topic !== audit && c.records > 0).map((c) => c.topic)
  const keys = await readTopicKeys(brokers, categoryTopics)
  const controls = new Set(controlIds)
  let unauthenticated = 0
  for (const [key, n] of keys) if (!controls.has(key)) unauthenticated += n
  return {
    topics: Object.fromEntries(counts.map((c) => [c.topic, c.records])),
    unauthenticated_written: unauthenticated,
    controls_missing: [...controls].filter((id) => !keys.has(id)).length,
    controls_duplicated: [...controls].filter((id) => (keys.get(id) ?? 0) > 1).length,
    audit_records: counts.find((c) => c.topic === audit)?.records ?? 0,
  }
}
