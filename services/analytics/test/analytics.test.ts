import { runSend, type SimEvent } from '@nudj-webhooks/nudj-sim'
import {
  consumeUntil,
  createFreshDatabase,
  startIngestProcess,
  uniqueName,
  waitFor,
  type FreshDatabase,
  type IngestProcess,
} from '@nudj-webhooks/testing'
import { Kafka, logLevel } from 'kafkajs'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import type { AnalyticsConfig } from '../src/config.ts'
import { rebuildProjections, type RebuildProgress } from '../src/rebuild-projections.ts'
import type { RunningAnalytics } from '../src/start-analytics.ts'
import { expectedProjections, type Expected } from './expected-projections.ts'
import { produceEnvelopes } from './produce-envelopes.ts'
import { authorization, snapshotProjections, startTestAnalytics, testConfig, testLogger } from './start-test-analytics.ts'

const infra = inject('infra')
let db: FreshDatabase
let ingest: IngestProcess
let config: AnalyticsConfig
let analytics: RunningAnalytics | undefined
let expected: Expected
const prefix = uniqueName('analytics')

const get = async <T>(url: string): Promise<{ status: number; body: T }> => {
  // Over the network, as a dashboard would ask.
  const response = await fetch(`${analytics!.address}${url}`, { headers: authorization })
  return { status: response.status, body: (await response.json()) as T }
}
type Summary = {
  events: { total: number; byType: { type: string; events: number }[] }
  unknownEvents: number
  points: Record<string, number>
}

// 180 s: more than a service process's own 60 s readiness wait, whose error says what went wrong.
beforeAll(async () => {
  db = await createFreshDatabase(infra.databaseUrl, 'analytics')
  ingest = await startIngestProcess(infra, prefix)
  config = testConfig(infra, { databaseUrl: db.url, topicPrefix: prefix, group: uniqueName('analytics') })
  analytics = await startTestAnalytics(config)
}, 180_000)

afterAll(async () => {
  await analytics?.close()
  await ingest?.stop()
  await db?.drop()
})

describe('analytics: simulator → ingest → Kafka → analytics → query API', () => {
  it('projects both generations, duplicates and reordering included, as an independent count of the clean stream', async () => {
    const delivered: SimEvent[] = []
    const report = await runSend({
      receiver: ingest.receiver,
      count: 600,
      rate: 300,
      concurrency: 16,
      duplicates: 0.1,
      reorder: 0.2,
      seed: 11,
      onDelivery: (planned, result) => {
        if (planned.kind !== 'bad' && result.outcome === 'acknowledged') delivered.push(planned.event)
      },
    })
    expect(report.duplicates).toBeGreaterThan(0)
    expect(report.reordered).toBeGreaterThan(0)
    expected = expectedProjections(delivered)
    expect(expected.total).toBe(600)

    const summary = await waitFor(
      async () => {
        const { body } = await get<Summary>('/v1/summary')
        return body.events.total >= expected.total ? body : undefined
      },
      { timeoutMs: 30_000, intervalMs: 250, message: 'the projections did not reach the delivered total' },
    )
    expect(summary.events.total).toBe(expected.total)
    expect(Object.fromEntries(summary.events.byType.map((t) => [t.type, t.events]))).toEqual(expected.byType)
    expect(summary.points).toMatchObject({
      credited: expected.credited,
      debited: expected.debited,
      net: expected.credited - expected.debited,
    })

    const users = await get<{ items: unknown[]; page: { total: number } }>('/v1/users/top?by=net_points&limit=1000')
    expect(users.body.page.total).toBe(expected.users.size)
    expect(new Map(users.body.items.map((u) => [(u as { userId: string }).userId, u]))).toEqual(expected.users)

    const funnel = await get<{ items: { challengeId: string; medianSecondsToComplete: number | null }[] }>(
      '/v1/challenges/funnel?limit=1000',
    )
    const funnelById = new Map(
      funnel.body.items.map(({ challengeId, medianSecondsToComplete, ...rest }) => [
        challengeId,
        { ...rest, median: medianSecondsToComplete },
      ]),
    )
    expect(funnelById.size).toBe(expected.challenges.size)
    for (const [id, want] of expected.challenges) {
      const { median, ...counts } = want
      expect(funnelById.get(id)).toMatchObject(counts)
      if (median === null) expect(funnelById.get(id)?.median).toBeNull()
      else expect(funnelById.get(id)?.median).toBeCloseTo(median, 3)
    }

    const rewards = await get<{ items: { rewardId: string }[] }>('/v1/rewards/lifecycle?limit=1000')
    expect(new Map(rewards.body.items.map(({ rewardId, ...rest }) => [rewardId, rest]))).toEqual(expected.rewards)

    const series = await get<{ items: { events: number }[] }>('/v1/timeseries?type=challenge.started&interval=day')
    expect(series.body.items.reduce((sum, i) => sum + i.events, 0)).toBe(expected.byType['challenge.started'])

    // The business counters may over-count after a failed batch transaction (README); never under.
    const metrics = await (await fetch(`${analytics!.opsAddress}/metrics`)).text()
    const started = /webhooks_analytics_events_total\{event_type="challenge\.started"[^}]*\} (\d+)/.exec(metrics)?.[1]
    expect(Number(started)).toBeGreaterThanOrEqual(expected.byType['challenge.started'] ?? 1)
  })

  it('sends an invalid event to the DLQ with every problem, and counts an unknown one without dead-lettering it', async () => {
    const invalid = { event: 'reward.earned', timestamp: 'yesterday', data: { user: { id: 'u1' } } }
    await produceEnvelopes(infra, `${prefix}.reward`, [
      { webhookId: 'dlv_invalid_1', event: 'reward.earned', category: 'reward', body: invalid },
    ])
    // Twice: an unknown event is counted once per webhook id like any other.
    const unknown = { event: 'loyalty.tier_changed', data: { user: { id: 'u1' } } }
    await produceEnvelopes(infra, `${prefix}.unknown`, [
      { webhookId: 'dlv_unknown_1', event: 'loyalty.tier_changed', category: 'unknown', body: unknown, copies: 2 },
    ])
    const kafka = new Kafka({ brokers: infra.kafkaBrokers, logLevel: logLevel.NOTHING })

    const [dead] = await consumeUntil(kafka, {
      topics: [`${config.CONSUMER_GROUP}.dlq`],
      groupId: uniqueName('dlq-reader'),
      until: (r) => r.length >= 1,
    })
    expect(dead?.message.key?.toString()).toBe('dlv_invalid_1')
    const headers = Object.fromEntries(Object.entries(dead?.message.headers ?? {}).map(([k, v]) => [k, String(v)]))
    expect(headers['x-error-code']).toBe('VALIDATION_FAILED')
    expect(headers['x-error-message']).toContain('timestamp must be an ISO 8601 date-time')
    expect(headers['x-error-message']).toContain('data.reward.id is required')

    const summary = await waitFor(
      async () => {
        const { body } = await get<Summary>('/v1/summary')
        return body.unknownEvents === 1 ? body : undefined
      },
      { timeoutMs: 15_000, message: 'the unknown event was not counted' },
    )
    expect(summary.events.total).toBe(expected.total + 1)
  })

  it('answers a clear 400 for every invalid input, and pages', async () => {
    for (const url of [
      '/v1/summary?from=yesterday',
      '/v1/summary?from=2026-05-02T00:00:00Z&to=2026-05-01T00:00:00Z',
      '/v1/summary?colour=blue',
      '/v1/timeseries',
      '/v1/timeseries?type=reward.earned&interval=week',
      '/v1/users/top?limit=0',
      '/v1/users/top?by=email',
      '/v1/challenges/funnel?offset=-1',
      '/v1/rewards/lifecycle?limit=abc',
    ]) {
      const { status, body } = await get<{ code: string; message: string }>(url)
      expect({ url, status, code: body.code }).toEqual({ url, status: 400, code: 'INVALID_REQUEST' })
      expect(body.message.length).toBeGreaterThan(0)
    }
    const first = await get<{ items: { userId: string }[]; page: { next: number | null; total: number } }>('/v1/users/top?limit=5')
    const second = await get<{ items: { userId: string }[]; page: { offset: number } }>(
      `/v1/users/top?limit=5&offset=${first.body.page.next}`,
    )
    expect(first.body.items).toHaveLength(5)
    expect(second.body.page.offset).toBe(5)
    expect(second.body.items.map((u) => u.userId)).not.toContain(first.body.items[0]?.userId)
    expect((await get<{ code: string }>('/v1/users/nobody')).status).toBe(404)
    const openapi = (await (await fetch(`${analytics!.opsAddress}/openapi.json`)).json()) as { paths: Record<string, unknown> }
    expect(Object.keys(openapi.paths)).toContain('/v1/challenges/funnel')
  })

  it('rebuilds, after refusing while the service runs, to exactly the projections it had, table by table', async () => {
    await expect(rebuildProjections(config, testLogger)).rejects.toMatchObject({ code: 'GROUP_ACTIVE' })
    const before = await snapshotProjections(db.url)
    // Unknown events are counted, never attributed to a user.
    expect(before.analytics_users?.length).toBe(expected.users.size)
    await analytics!.close()
    analytics = undefined

    const progress: RebuildProgress[] = []
    const result = await rebuildProjections(config, testLogger, { onProgress: (p) => progress.push(p), progressEveryMs: 200 })
    expect(result.remaining).toBe(0)
    // Every record of the topics: duplicates, the invalid and the unknown events included.
    expect(result.total).toBeGreaterThan(expected.total)
    expect(progress.at(-1)?.done).toBe(result.total)
    const after = await snapshotProjections(db.url)
    for (const table of Object.keys(before)) expect({ table, rows: after[table] }).toEqual({ table, rows: before[table] })
  })
})
