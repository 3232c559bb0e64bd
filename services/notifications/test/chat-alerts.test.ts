import { startIngestProcess, waitFor, type IngestProcess } from '@nudj-webhooks/testing'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import type { RunningNotifications } from '../src/start-notifications.ts'
import { createSuite, redeliver, sendEvent, startChatReceiver, startInProcess, users, type Suite } from './harness.ts'

const infra = inject('infra')
let suite: Suite
let ingest: IngestProcess
let service: RunningNotifications
let chat: Awaited<ReturnType<typeof startChatReceiver>>

// 180 s: more than a service process's own 60 s readiness wait, whose error says what went wrong.
beforeAll(async () => {
  suite = await createSuite(infra)
  // The receiver fails twice (503) before it accepts anything.
  chat = await startChatReceiver([503, 503])
  ;[ingest, service] = await Promise.all([
    // Failures at fixed past times (a burst window, a day-old one): ingest's replay bound is off.
    startIngestProcess(infra, suite.topicPrefix, { KAFKA_TOPIC_PARTITIONS: '3', INGEST_REPLAY_TOLERANCE: 'off' }),
    startInProcess(infra, suite, {
      NOTIFICATIONS_CHAT_WEBHOOK_URL: chat.url,
      NOTIFICATIONS_BURST_THRESHOLD: '3',
      NOTIFICATIONS_BURST_WINDOW: '1h',
    }),
  ])
}, 180_000)
afterAll(async () => {
  await Promise.allSettled([service?.close(), ingest?.stop(), chat?.close()])
  await suite?.database.drop()
})

const accepted = (key: string) => chat.requests.filter((r) => r.key === key && r.status === 200)

describe('operator alerts through the chat webhook', () => {
  it('retries a failing receiver from the outbox, one alert per failure and one burst alert per window', async () => {
    // Three failures in one hour window, for different users, one of them redelivered.
    const at = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000 + 60_000)
    const failures = []
    for (const user of users.slice(0, 3)) failures.push(await sendEvent(ingest, 'reward.delivery_failed', user, at))
    await redeliver(failures[1]!)
    const keys = failures.map((id) => `${id}:reward-delivery-failed`)
    const burstKey = `burst:${new Date(Math.floor(at.getTime() / 3_600_000) * 3_600_000).toISOString()}`

    await waitFor(() => [...keys, burstKey].every((key) => accepted(key).length > 0), {
      timeoutMs: 30_000,
      message: 'not every alert reached the chat receiver',
    })
    expect(chat.requests.filter((r) => r.status === 503)).toHaveLength(2)
    // Every request carries one of the expected keys; each accepted exactly once.
    expect(new Set(chat.requests.map((r) => r.key))).toEqual(new Set([...keys, burstKey]))
    for (const key of [...keys, burstKey]) expect(accepted(key)).toHaveLength(1)
    expect(accepted(burstKey)[0]!.body.text).toMatch(/Burst of reward delivery failures: 3/)
    const alert = accepted(keys[0]!)[0]!.body as { text: string; blocks?: unknown[] }
    expect(alert.text).toMatch(/^\*Reward delivery failed\*\nReward .+ for user \w+ failed: .+\.$/)
    expect(alert.blocks).toHaveLength(1)

    // Two failed posts were counted as retryable.
    const metrics = await (await fetch(`${service.opsAddress}/metrics`)).text()
    expect(metrics).toMatch(/webhooks_notifications_chat_sent_total\{[^}]*outcome="retryable"[^}]*\} 2/)
  })

  it('keeps an alert the receiver refuses (4xx) as rejected, posted once and not retried', async () => {
    chat.queue.push(400)
    const id = await sendEvent(ingest, 'reward.delivery_failed', users[4]!, new Date(Date.now() - 48 * 3_600_000))
    const key = `${id}:reward-delivery-failed`
    const db = new pg.Client({ connectionString: suite.database.url })
    await db.connect()
    try {
      const row = await waitFor(
        async () =>
          (
            await db.query<{ attempts: number; last_error: string }>(
              'SELECT attempts, last_error FROM chat_outbox WHERE idempotency_key = $1 AND rejected_at IS NOT NULL',
              [key],
            )
          ).rows[0],
        { timeoutMs: 30_000, message: 'the refused alert was not marked rejected' },
      )
      expect(row).toEqual({ attempts: 1, last_error: 'CHAT_REJECTED: answered 400' })
    } finally {
      await db.end()
    }
    expect(chat.requests.filter((r) => r.key === key).map((r) => r.status)).toEqual([400])
    const metrics = await (await fetch(`${service.opsAddress}/metrics`)).text()
    expect(metrics).toMatch(/webhooks_notifications_chat_sent_total\{[^}]*outcome="rejected"[^}]*\} 1/)
  })
})
