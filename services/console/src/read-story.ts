import { retryCoordinator } from '@nudj-webhooks/kafka'
import type { ConsoleDeps } from './console-deps.ts'
import type { RecordDetail, RecordSummary } from './create-record-reader.ts'
import { readOutcome, type ServiceOutcome } from './read-outcomes.ts'
import { scanWindow } from './scan-window.ts'

/** Whether a group has committed past a received record (it handled it, or sent it on to its retries). */
export type GroupPosition = { group: string; topic: string; partition: number; offset: number; committed: number | null; past: boolean }

export type Story = {
  webhookId: string
  from: string
  until: string | null
  /** Records read to find it, and whether a limit cut the search short. */
  read: number
  truncated: boolean
  /** The first record ingest wrote: the envelope and the raw body. */
  received: RecordDetail | undefined
  /** Every record of it, on every topic (category, retry, DLQ), oldest first. */
  records: RecordSummary[]
  positions: GroupPosition[]
  outcomes: ServiceOutcome[]
}

/**
 * One webhook's whole story: every Kafka record keyed by its id in the window (category,
 * retry and dead-letter topics), where each group stands on it, and each service's ledger
 * and effect rows.
 */
export async function readStory(deps: ConsoleDeps, webhookId: string, window: { fromMs: number; untilMs?: number }): Promise<Story> {
  const scan = await scanWindow(deps.kafka, deps.admin, {
    topics: deps.roles.webhookTopics,
    ...window,
    keep: (message) => message.key?.toString() === webhookId,
    maxFound: 1_000,
    ...deps.limits,
  })
  const found = scan.found.sort((a, b) => Number(a.message.timestamp) - Number(b.message.timestamp))
  const records = await Promise.all(found.map(async (f) => await deps.reader.summarize(f.topic, f.partition, f.message)))
  const first = found.find((f) => deps.roles.roleOf(f.topic)?.kind === 'received')
  const received = first && (await deps.reader.detail(first.topic, first.partition, first.message))
  const positions: GroupPosition[] = []
  for (const record of records.filter((r) => r.kind === 'received')) {
    for (const group of deps.topology.groups.filter((g) => g.topics.includes(record.topic))) {
      const [offsets] = await retryCoordinator(async () => await deps.admin.fetchOffsets({ groupId: group.name, topics: [record.topic] }))
      const committed = Number(offsets?.partitions.find((p) => p.partition === record.partition)?.offset ?? -1)
      positions.push({
        group: group.name,
        topic: record.topic,
        partition: record.partition,
        offset: record.offset,
        committed: committed < 0 ? null : committed,
        past: committed > record.offset,
      })
    }
  }
  const outcomes = await Promise.all(
    (['analytics', 'email', 'notifications'] as const).map(async (service) => await readOutcome(service, deps.pools[service], webhookId)),
  )
  return {
    webhookId,
    from: new Date(window.fromMs).toISOString(),
    until: window.untilMs === undefined ? null : new Date(window.untilMs).toISOString(),
    read: scan.read,
    truncated: scan.truncated,
    received,
    records,
    positions,
    outcomes,
  }
}
