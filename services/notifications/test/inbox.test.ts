import { startIngestProcess, waitFor, type IngestProcess } from '@nudj-webhooks/testing'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import type { RunningNotifications } from '../src/start-notifications.ts'
import { createSuite, sendEvent, startInProcess, tokenFor, users, type Suite } from './harness.ts'

const infra = inject('infra')
let suite: Suite
let ingest: IngestProcess
let service: RunningNotifications
const user = users[5]!

type Page = { items: { id: string; webhookId: string; readAt: string | null }[]; nextBefore: string | null }

beforeAll(async () => {
  suite = await createSuite(infra)
  ;[ingest, service] = await Promise.all([
    startIngestProcess(infra, suite.topicPrefix, { KAFKA_TOPIC_PARTITIONS: '3' }),
    startInProcess(infra, suite),
  ])
})
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
    expect(await unknown.json()).toMatchObject({ error: 'NOTIFICATION_NOT_FOUND' })
    const bad = await fetch(`${base}?limit=0`, { headers })
    expect(bad.status).toBe(400)
    expect(await bad.json()).toMatchObject({ error: 'BAD_REQUEST' })
  })
})
