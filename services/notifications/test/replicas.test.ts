import { startIngestProcess, startService, waitFor, type IngestProcess, type ServiceProcess } from '@nudj-webhooks/testing'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { createSuite, sendEvent, suiteOptions, tokenFor, users, type Suite } from './harness.ts'
import { openStream, type OpenStream } from './open-stream.ts'

const infra = inject('infra')
let suite: Suite
let ingest: IngestProcess
const replicas: { process: ServiceProcess; url: string }[] = []
const user = users[8]!

async function startReplica(): Promise<{ process: ServiceProcess; url: string }> {
  const process = await startService('notifications', infra, suiteOptions(suite))
  return { process, url: process.url }
}

/** Notifications this replica's consumer created (from its metrics). */
async function createdBy(replica: { process: ServiceProcess }): Promise<number> {
  const text = await (await fetch(`${replica.process.opsUrl}/metrics`)).text()
  return [...text.matchAll(/^webhooks_notifications_created_total\{[^}]*\} (\d+)/gm)].reduce((sum, m) => sum + Number(m[1]), 0)
}

/** Notifications in the suite's database (the ledger keeps them exact). */
async function rowCount(): Promise<number> {
  const client = new pg.Client({ connectionString: suite.database.url })
  await client.connect()
  try {
    return (await client.query<{ n: number }>('SELECT count(*)::int AS n FROM notifications')).rows[0]!.n
  } finally {
    await client.end()
  }
}

/**
 * Waits until `count` notifications were created. The metric can overshoot (a batch whose
 * COMMIT failed is counted again when retried), so it is waited on with >=; the rows cannot.
 */
async function waitForAll(count: number): Promise<void> {
  await waitFor(async () => (await createdBy(replicas[0]!)) + (await createdBy(replicas[1]!)) >= count, { timeoutMs: 30_000 })
  await waitFor(async () => (await rowCount()) >= count, { timeoutMs: 10_000 })
  expect(await rowCount()).toBe(count)
}

const webhookIds = (stream: OpenStream) => stream.events.map((e) => (JSON.parse(e.data) as { webhookId: string }).webhookId)

// 180 s: more than a service process's own 60 s readiness wait, whose error says what went wrong.
beforeAll(async () => {
  suite = await createSuite(infra)
  ingest = await startIngestProcess(infra, suite.topicPrefix, { KAFKA_TOPIC_PARTITIONS: '3' })
  // One after the other: two first starts racing to create the same topics prove nothing here.
  replicas.push(await startReplica())
  replicas.push(await startReplica())
}, 180_000)
afterAll(async () => {
  await Promise.allSettled([ingest?.stop(), ...replicas.map(async (r) => await r.process.stop())])
  await suite?.database.drop()
})

describe('two replicas', () => {
  it('each serves its own streams whichever replica consumed the event, and a client moves over with Last-Event-ID', async () => {
    const [a, b] = replicas as [(typeof replicas)[0], (typeof replicas)[0]]
    const token = tokenFor(user.id)
    const path = `/v1/users/${user.id}/notifications/stream`
    const onA = await openStream(a.url + path, { token })
    const onB = await openStream(b.url + path, { token })
    // Six partitions' worth of events: the group splits them between the replicas.
    const names = [
      'reward.earned',
      'achievement.earned',
      'challenge.completed',
      'points.awarded',
      'reward.delivered',
      'points.awarded',
    ] as const
    const sent: string[] = []
    for (const name of names) sent.push(await sendEvent(ingest, name, user))
    await waitForAll(sent.length)
    // Until each replica has consumed some (keys land on partitions at random), send more.
    while (((await createdBy(a)) === 0 || (await createdBy(b)) === 0) && sent.length < 30) {
      sent.push(await sendEvent(ingest, 'points.awarded', user))
      await waitForAll(sent.length)
    }
    expect(await createdBy(a)).toBeGreaterThan(0)
    expect(await createdBy(b)).toBeGreaterThan(0)
    const n = sent.length
    await waitFor(() => onA.events.length >= n && onB.events.length >= n, { timeoutMs: 30_000, message: 'both streams did not get all' })
    expect(webhookIds(onA).sort()).toEqual([...sent].sort())
    expect(webhookIds(onB)).toEqual(webhookIds(onA))

    // Replica A goes away; its client reconnects to B from the last id it saw.
    const lastSeen = onA.events.at(-1)!.id!
    expect(await a.process.stop()).toBe(0)
    await onA.ended
    const later = [await sendEvent(ingest, 'reward.earned', user), await sendEvent(ingest, 'achievement.earned', user)]
    const moved = await openStream(b.url + path, { token, lastEventId: lastSeen })
    await waitFor(() => moved.events.length >= 2 && onB.events.length >= n + 2, { timeoutMs: 30_000 })
    moved.close()
    onB.close()
    expect(webhookIds(moved).sort()).toEqual([...later].sort())
    expect(webhookIds(onB)).toHaveLength(n + 2)
    expect(new Set(webhookIds(onB)).size).toBe(n + 2)
  })
})
