import { createMetricsRegistry } from '@nudj-webhooks/observability'
import { startIngestProcess, waitFor, type IngestProcess } from '@nudj-webhooks/testing'
import pg from 'pg'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { createChatOutbox } from '../src/create-chat-outbox.ts'
import { createChatSender } from '../src/create-chat-sender.ts'
import { createNotificationsMetrics } from '../src/create-notifications-metrics.ts'
import type { RunningNotifications } from '../src/start-notifications.ts'
import { createSuite, sendEvent, startChatReceiver, startInProcess, tokenFor, users, type Suite } from './harness.ts'

const infra = inject('infra')
let suite: Suite
let ingest: IngestProcess
let service: RunningNotifications | undefined
let chat: Awaited<ReturnType<typeof startChatReceiver>>
let db: pg.Pool
const logLines: string[] = []
const [operatorUser, blockedUser] = users as [(typeof users)[0], (typeof users)[0]]

// 180 s: more than a service process's own 60 s readiness wait, whose error says what went wrong.
beforeAll(async () => {
  suite = await createSuite(infra)
  chat = await startChatReceiver()
  // One partition, so that the events sent before the service starts arrive as one batch.
  ingest = await startIngestProcess(infra, suite.topicPrefix, { KAFKA_TOPIC_PARTITIONS: '1' })
  db = new pg.Pool({ connectionString: suite.database.url })
}, 180_000)
afterAll(async () => {
  await Promise.allSettled([service?.close(), ingest?.stop(), chat?.close()])
  await db?.end()
  await suite?.database.drop()
})

describe('chat alerts are posted after commit, through the outbox', () => {
  it('posts an alert exactly once when a later item of its batch fails after the alert was recorded', async () => {
    // Both events wait in one partition; the service starts after them, so they are one batch:
    // the operator alert first (recorded), then a user notification whose user is locked.
    const alertId = await sendEvent(ingest, 'reward.delivery_failed', operatorUser)
    const blockedId = await sendEvent(ingest, 'reward.earned', blockedUser)
    const key = `${alertId}:reward-delivery-failed`

    // Hold the per-user lock the inbox takes: the batch's insert waits, statement_timeout
    // cancels it, the batch rolls back (alert included), and the runtime goes message by message.
    const locker = await db.connect()
    await locker.query(`SELECT pg_advisory_lock(hashtextextended('notifications-user:' || $1, 0))`, [blockedUser.id])
    let unlocked = false
    const unlock = async (): Promise<void> => {
      if (unlocked) return
      unlocked = true
      await locker.query(`SELECT pg_advisory_unlock(hashtextextended('notifications-user:' || $1, 0))`, [blockedUser.id])
      locker.release()
    }
    try {
      service = await startInProcess(
        infra,
        suite,
        {
          KAFKA_TOPIC_PARTITIONS: '1',
          NOTIFICATIONS_CHAT_WEBHOOK_URL: chat.url,
          NOTIFICATIONS_CHAT_OUTBOX_INTERVAL: '100ms',
          NOTIFICATIONS_RETRY_SCHEDULE: '2s,5s',
          POSTGRES_STATEMENT_TIMEOUT: '1s',
        },
        logLines,
      )
      await waitFor(() => chat.requests.some((r) => r.key === key), { timeoutMs: 30_000, message: 'the alert was never posted' })
    } finally {
      await unlock()
    }

    // Nothing is lost: the blocked user's notification arrives once the lock is gone.
    await waitFor(
      async () => {
        const r = await fetch(`${service!.address}/v1/users/${blockedUser.id}/notifications`, {
          headers: { authorization: `Bearer ${tokenFor(blockedUser.id)}` },
        })
        return ((await r.json()) as { items: { webhookId: string }[] }).items.some((n) => n.webhookId === blockedId)
      },
      { timeoutMs: 30_000, message: 'the blocked notification never arrived' },
    )
    // The batch did fail after the alert was recorded (the scenario happened) ...
    expect(logLines.some((l) => l.includes('batch transaction failed'))).toBe(true)
    // ... and the alert was claimed once, posted once, and is marked sent.
    const { rows } = await db.query<{ attempts: number; sent: boolean }>(
      'SELECT attempts, sent_at IS NOT NULL AS sent FROM chat_outbox WHERE idempotency_key = $1',
      [key],
    )
    expect(rows).toEqual([{ attempts: 1, sent: true }])
    expect(chat.requests.filter((r) => r.key === key)).toHaveLength(1)
  })

  it('lets replicas drain one outbox at once (two more beside the running service): each alert posted once', async () => {
    const keys = Array.from({ length: 30 }, (_, i) => `two-replicas:${i}`)
    const replica = (name: string) => {
      const metrics = createNotificationsMetrics(createMetricsRegistry(name), () => 0)
      return createChatOutbox({
        pool: db,
        send: createChatSender({ url: chat.url, timeoutMs: 5_000, metrics }),
        retrySchedule: [1_000],
        intervalMs: 60_000,
        claimMs: 30_000,
        metrics,
        logger: pino({ level: 'silent' }),
      })
    }
    const [one, two] = [replica('one'), replica('two')]
    try {
      await Promise.all(keys.map(async (key) => await one.record(db, { text: key }, key)))
      await Promise.all([one.drain(), two.drain(), one.drain(), two.drain()])
      await waitFor(
        async () =>
          (await db.query('SELECT 1 FROM chat_outbox WHERE idempotency_key = ANY($1) AND sent_at IS NULL', [keys])).rowCount === 0,
        { timeoutMs: 10_000, message: 'not every alert was sent' },
      )
    } finally {
      await Promise.all([one.close(), two.close()])
    }
    for (const key of keys) expect(chat.requests.filter((r) => r.key === key)).toHaveLength(1)
    const { rows } = await db.query<{ attempts: number }>('SELECT DISTINCT attempts FROM chat_outbox WHERE idempotency_key = ANY($1)', [
      keys,
    ])
    expect(rows).toEqual([{ attempts: 1 }])
  })
})
