import { lookupEvent } from '@nudj-webhooks/contracts'
import { runSend } from '@nudj-webhooks/nudj-sim'
import { startIngestProcess, waitFor, type IngestProcess } from '@nudj-webhooks/testing'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { defaultRules } from '../src/default-rules.ts'
import { createRuleIndex, parseRules } from '../src/rules.ts'
import type { RunningNotifications } from '../src/start-notifications.ts'
import { createSuite, sendEvent, startInProcess, tokenFor, users, type Suite } from './harness.ts'

const infra = inject('infra')
let suite: Suite
let ingest: IngestProcess
let service: RunningNotifications
const user = users[5]!

type Page = { items: { id: string; webhookId: string; readAt: string | null }[]; nextBefore: string | null }

// 180 s: more than a service process's own 60 s readiness wait, whose error says what went wrong.
beforeAll(async () => {
  suite = await createSuite(infra)
  ;[ingest, service] = await Promise.all([
    startIngestProcess(infra, suite.topicPrefix, { KAFKA_TOPIC_PARTITIONS: '3' }),
    startInProcess(infra, suite),
  ])
}, 180_000)
afterAll(async () => {
  await Promise.allSettled([service?.close(), ingest?.stop()])
  await suite?.database.drop()
})

describe('inbox API', () => {
  it('pages newest first with a cursor, and marks read once', async () => {
    const headers = { authorization: `Bearer ${tokenFor(user.id)}` }
    const base = `${service.address}/v1/users/${user.id}/notifications`
    const names = ['reward.earned', 'reward.delivered', 'achievement.earned', 'challenge.completed', 'points.awarded'] as const
    const sent = await Promise.all(names.map(async (name) => await sendEvent(ingest, name, user)))
    const get = async (query: string): Promise<Page> => (await (await fetch(`${base}${query}`, { headers })).json()) as Page
    await waitFor(async () => (await get('?limit=50')).items.length === 5, { timeoutMs: 20_000 })

    const first = await get('?limit=2')
    const second = await get(`?limit=2&before=${first.nextBefore}`)
    const third = await get(`?limit=2&before=${second.nextBefore}`)
    const all = [...first.items, ...second.items, ...third.items]
    expect(all.map((n) => n.webhookId).sort()).toEqual([...sent].sort())
    expect(all.map((n) => BigInt(n.id))).toEqual(all.map((n) => BigInt(n.id)).sort((a, b) => (a > b ? -1 : 1)))
    expect(third.nextBefore).toBeNull()

    const target = all[0]!
    const read = await fetch(`${base}/${target.id}/read`, { method: 'POST', headers })
    expect(read.status).toBe(200)
    const readAt = ((await read.json()) as { readAt: string }).readAt
    expect(readAt).toEqual(expect.any(String))
    const again = (await (await fetch(`${base}/${target.id}/read`, { method: 'POST', headers })).json()) as { readAt: string }
    expect(again.readAt).toBe(readAt)

    const unknown = await fetch(`${base}/999999999/read`, { method: 'POST', headers })
    expect(unknown.status).toBe(404)
    expect(await unknown.json()).toMatchObject({ code: 'NOTIFICATION_NOT_FOUND' })
    const bad = await fetch(`${base}?limit=0`, { headers })
    expect(bad.status).toBe(400)
    expect(await bad.json()).toMatchObject({ code: 'BAD_REQUEST' })
  })
})

describe('the simulator’s traffic, redeliveries and reordering included', () => {
  it('makes exactly one inbox row per webhook id and user rule, for the event’s user', async () => {
    const rulesFor = createRuleIndex(parseRules(defaultRules))
    const expected = new Map<string, string>()
    const report = await runSend({
      receiver: ingest.receiver,
      count: 150,
      rate: 150,
      concurrency: 10,
      duplicates: 0.3,
      reorder: 0.2,
      seed: 11,
      onDelivery: (planned, result) => {
        if (result.outcome !== 'acknowledged') return
        const canonical = lookupEvent(planned.event.name)?.canonical ?? ''
        const body = planned.event.body as { userId?: string; data?: { user?: { id?: string } } }
        const userId = body.userId ?? body.data?.user?.id ?? ''
        for (const rule of rulesFor(canonical)) if (rule.audience === 'user') expected.set(`${planned.event.deliveryId}:${rule.id}`, userId)
      },
    })
    expect(report.duplicates).toBeGreaterThan(0)
    expect(expected.size).toBeGreaterThan(20)
    const db = new pg.Client({ connectionString: suite.database.url })
    await db.connect()
    try {
      // Only this test's rows: the first test's webhooks were sent by the harness, not runSend.
      const rows = async () =>
        (
          await db.query<{ key: string; user_id: string }>("SELECT webhook_id || ':' || rule AS key, user_id FROM notifications")
        ).rows.filter((r) => expected.has(r.key))
      await waitFor(async () => (await rows()).length >= expected.size, {
        timeoutMs: 30_000,
        message: 'not every expected notification arrived',
      })
      const found = await rows()
      expect(found).toHaveLength(expected.size)
      for (const row of found) expect(row.user_id).toBe(expected.get(row.key))
      // Nothing else either: the first test's five rows, and these.
      const { rows: total } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM notifications')
      expect(total[0]?.n).toBe(5 + expected.size)
    } finally {
      await db.end()
    }
  })
})
