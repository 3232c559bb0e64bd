import { runSend, type SimEvent } from '@nudj-webhooks/nudj-sim'
import { startDisposablePostgres, startIngestProcess, uniqueName, waitFor, type IngestProcess } from '@nudj-webhooks/testing'
import pg from 'pg'
import { afterAll, beforeAll, expect, inject, it } from 'vitest'
import type { RunningAnalytics } from '../src/start-analytics.ts'
import { expectedProjections } from './expected-projections.ts'
import { startTestAnalytics, testConfig } from './start-test-analytics.ts'

const infra = inject('infra')
let postgres: Awaited<ReturnType<typeof startDisposablePostgres>>
let ingest: IngestProcess
let analytics: RunningAnalytics
const prefix = uniqueName('analytics-pg')

// 180 s: more than a service process's own 60 s readiness wait, whose error says what went wrong.
beforeAll(async () => {
  postgres = await startDisposablePostgres()
  ingest = await startIngestProcess(infra, prefix)
  analytics = await startTestAnalytics(
    testConfig(infra, { databaseUrl: postgres.url, topicPrefix: prefix, group: uniqueName('analytics') }),
  )
}, 180_000)

afterAll(async () => {
  await analytics?.close()
  await ingest?.stop()
  await postgres?.close()
})

it('loses and doubles nothing when Postgres restarts mid-stream', async () => {
  const delivered: SimEvent[] = []
  let acknowledged = 0
  const sending = runSend({
    receiver: ingest.receiver,
    count: 500,
    rate: 100,
    concurrency: 8,
    duplicates: 0.05,
    reorder: 0.1,
    seed: 23,
    onDelivery: (planned, result) => {
      if (result.outcome !== 'acknowledged') return
      acknowledged += 1
      if (planned.kind !== 'bad') delivered.push(planned.event)
    },
  })
  // Down while the simulator sends: batches fail, the runtime pauses its partitions and probes.
  await waitFor(() => acknowledged >= 120, { timeoutMs: 20_000 })
  await postgres.stop()
  await waitFor(() => acknowledged >= 260, { timeoutMs: 20_000 })
  // The consumer lags ingest, and pauses only once a batch has failed against the stopped database.
  await waitFor(
    async () =>
      /webhooks_consumer_paused_partitions\{[^}]*reason="outage"[^}]*\} [1-9]/.test(
        await (await fetch(`${analytics.opsAddress}/metrics`, { signal: AbortSignal.timeout(5_000) })).text(),
      ),
    { timeoutMs: 20_000, message: 'the consumer never paused a partition for the Postgres outage' },
  )
  await postgres.start()
  await sending

  const expected = expectedProjections(delivered)
  const client = new pg.Client({ connectionString: postgres.url })
  await client.connect()
  try {
    const total = async (): Promise<number> =>
      Number((await client.query<{ n: string }>('SELECT coalesce(sum(events), 0) AS n FROM analytics_events_daily')).rows[0]?.n)
    await waitFor(async () => (await total()) >= expected.total, {
      timeoutMs: 40_000,
      intervalMs: 250,
      message: 'projections did not catch up',
    })
    const byType = await client.query<{ event_type: string; n: string }>(
      'SELECT event_type, sum(events) AS n FROM analytics_events_hourly GROUP BY 1',
    )
    expect(Object.fromEntries(byType.rows.map((r) => [r.event_type, Number(r.n)]))).toEqual(expected.byType)
    const users = await client.query<{ user_id: string; events: string; net_points: string }>(
      'SELECT user_id, events, net_points FROM analytics_users',
    )
    expect(new Map(users.rows.map((u) => [u.user_id, { events: Number(u.events), netPoints: Number(u.net_points) }]))).toEqual(
      new Map([...expected.users].map(([id, u]) => [id, { events: u.events, netPoints: u.netPoints }])),
    )
    const ledger = await client.query<{ n: string }>('SELECT count(*) AS n FROM consumer_ledger')
    expect(Number(ledger.rows[0]?.n)).toBe(expected.total)
  } finally {
    await client.end()
  }
  const dlq = await (await fetch(`${analytics.opsAddress}/metrics`)).text()
  expect(dlq).not.toMatch(/webhooks_consumer_dlq_total\{[^}]*\} [1-9]/)
}, 150_000)
