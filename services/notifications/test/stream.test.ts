import pg from 'pg'
import { startIngestProcess, waitFor, type IngestProcess } from '@nudj-webhooks/testing'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import type { RunningNotifications } from '../src/start-notifications.ts'
import { createSuite, redeliver, sendEvent, startInProcess, tokenFor, users, type Suite } from './harness.ts'
import { openStream, type OpenStream } from './open-stream.ts'

const infra = inject('infra')
let suite: Suite
let ingest: IngestProcess
let service: RunningNotifications
const [alice, bob, carol] = users as [(typeof users)[0], (typeof users)[0], (typeof users)[0]]

const streamUrl = (userId: string): string => `${service.address}/v1/users/${userId}/notifications/stream`
const parsed = (stream: OpenStream) =>
  stream.events.map((e) => ({ id: e.id, ...(JSON.parse(e.data) as { webhookId: string; rule: string }) }))

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

describe('simulator → ingest → Kafka → notifications → SSE', () => {
  it('delivers each notification once, in id order, whatever the redeliveries', async () => {
    const stream = await openStream(streamUrl(alice.id), { token: tokenFor(alice.id) })
    expect(stream.status).toBe(200)
    const sent = [
      await sendEvent(ingest, 'reward.earned', alice),
      await sendEvent(ingest, 'achievement.earned', alice),
      await sendEvent(ingest, 'challenge.completed', alice),
    ]
    // Nudj redelivers two of them; an event with no user rule produces nothing.
    await redeliver(sent[0]!)
    await redeliver(sent[2]!)
    await sendEvent(ingest, 'action.completed', alice)
    await sendEvent(ingest, 'points.awarded', bob)

    await waitFor(() => stream.events.length >= 3, { timeoutMs: 20_000, message: 'the stream did not receive three notifications' })
    const marker = await sendEvent(ingest, 'reward.delivered', alice)
    await waitFor(() => parsed(stream).some((e) => e.webhookId === marker), { timeoutMs: 20_000 })
    stream.close()

    const events = parsed(stream)
    expect(events.map((e) => e.webhookId)).toEqual(expect.arrayContaining([...sent, marker]))
    expect(events).toHaveLength(4)
    expect(new Set(events.map((e) => e.webhookId)).size).toBe(4)
    const ids = events.map((e) => BigInt(e.id!))
    expect([...ids].sort((a, b) => (a < b ? -1 : 1))).toEqual(ids)
    expect(stream.events.every((e) => e.event === 'notification')).toBe(true)
  })

  it('resumes with Last-Event-ID: what was missed, then live, nothing twice', async () => {
    const token = tokenFor(carol.id)
    const first = await openStream(streamUrl(carol.id), { token })
    const a = await sendEvent(ingest, 'reward.earned', carol)
    await waitFor(() => first.events.length >= 1, { timeoutMs: 20_000 })
    first.close()
    const lastSeen = first.events[0]!.id!

    const missed = [await sendEvent(ingest, 'achievement.earned', carol), await sendEvent(ingest, 'points.awarded', carol)]
    // Wait until both are in the inbox, so the reconnect has something to catch up on.
    const list = async () =>
      (await (
        await fetch(`${service.address}/v1/users/${carol.id}/notifications`, { headers: { authorization: `Bearer ${token}` } })
      ).json()) as {
        items: { id: string; webhookId: string }[]
      }
    await waitFor(async () => (await list()).items.length >= 3, { timeoutMs: 20_000 })

    const second = await openStream(streamUrl(carol.id), { token, lastEventId: lastSeen })
    await waitFor(() => second.events.length >= 2, { timeoutMs: 10_000 })
    const live = await sendEvent(ingest, 'challenge.completed', carol)
    await waitFor(() => second.events.length >= 3, { timeoutMs: 20_000 })
    second.close()
    expect(parsed(second).map((e) => e.webhookId)).toEqual(expect.arrayContaining([...missed, live]))
    expect(parsed(second)).toHaveLength(3)
    expect(parsed(second).some((e) => e.webhookId === a)).toBe(false)
    expect(parsed(second).every((e) => BigInt(e.id!) > BigInt(lastSeen))).toBe(true)
  })

  it('keeps streaming after its LISTEN connection is cut (reconnects and re-reads)', async () => {
    const stream = await openStream(streamUrl(bob.id), { token: tokenFor(bob.id) })
    const admin = new pg.Client({ connectionString: suite.database.url })
    await admin.connect()
    try {
      const { rowCount } = await admin.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'notifications-listen'`,
      )
      expect(rowCount).toBe(1)
    } finally {
      await admin.end()
    }
    const sent = await sendEvent(ingest, 'reward.earned', bob)
    await waitFor(() => parsed(stream).some((e) => e.webhookId === sent), { timeoutMs: 20_000 })
    stream.close()
    expect(parsed(stream)).toHaveLength(1)
  })

  it('sends heartbeat comments on an idle stream', async () => {
    const stream = await openStream(streamUrl(bob.id), { token: tokenFor(bob.id) })
    await waitFor(() => stream.comments.includes('heartbeat'), { timeoutMs: 5_000 })
    stream.close()
  })
})

describe('tokens', () => {
  it('refuses another user’s token (403) and missing, invalid or expired ones (401), as JSON', async () => {
    const wrong = await openStream(streamUrl(alice.id), { token: tokenFor(bob.id) })
    expect(wrong).toMatchObject({ status: 403, error: { code: 'TOKEN_WRONG_USER' } })
    const missing = await openStream(streamUrl(alice.id))
    expect(missing).toMatchObject({ status: 401, error: { code: 'TOKEN_MISSING' } })
    const invalid = await openStream(streamUrl(alice.id), { token: `${tokenFor(alice.id)}x` })
    expect(invalid).toMatchObject({ status: 401, error: { code: 'TOKEN_INVALID' } })
    const expired = await openStream(streamUrl(alice.id), { token: tokenFor(alice.id, -1) })
    expect(expired).toMatchObject({ status: 401, error: { code: 'TOKEN_EXPIRED' } })
    const inbox = await fetch(`${service.address}/v1/users/${alice.id}/notifications?token=${tokenFor(bob.id)}`)
    expect(inbox.status).toBe(403)
    const read = await fetch(`${service.address}/v1/users/${alice.id}/notifications/1/read`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokenFor(bob.id)}` },
    })
    expect(read.status).toBe(403)
  })
})
