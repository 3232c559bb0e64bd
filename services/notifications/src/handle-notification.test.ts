import { normalizeNudjWebhook } from '@nudj-webhooks/contracts'
import { dispositionOf, type ConsumerMessage } from '@nudj-webhooks/kafka'
import { createLogger, createMetricsRegistry } from '@nudj-webhooks/observability'
import type pg from 'pg'
import { describe, expect, it } from 'vitest'
import { defaultRules } from './default-rules.ts'
import type { NewNotification } from './create-inbox.ts'
import { createNotificationsMetrics } from './create-notifications-metrics.ts'
import { createHandleNotification } from './handle-notification.ts'
import { createRuleIndex, parseRules } from './rules.ts'

// Fakes of this service's own narrow interfaces; the transaction is never touched by them.
function handlers() {
  const rows: NewNotification[] = []
  const handle = createHandleNotification({
    rulesFor: createRuleIndex(parseRules(defaultRules)),
    inbox: {
      insertMany: async (_tx, inserted) => {
        rows.push(...inserted)
        return inserted.map((r) => r.rule)
      },
    },
    chat: { record: async () => true },
    burst: { record: async () => undefined },
    metrics: createNotificationsMetrics(createMetricsRegistry('test'), () => 0),
  })
  return { ...handle, rows }
}

const tx = {} as pg.PoolClient
const logger = createLogger({ service: 'test', version: 'test', level: 'silent' })
const message: ConsumerMessage = {
  topic: 't',
  partition: 0,
  offset: '0',
  key: 'dlv_1',
  value: Buffer.alloc(0),
  headers: {},
  timestamp: 0,
}
const rewardEarned = (user: Record<string, unknown> | undefined) =>
  normalizeNudjWebhook(
    JSON.stringify({
      event: 'reward.earned',
      timestamp: '2026-12-01T10:00:00Z',
      data: { reward: { id: 'r1', name: 'Mug' }, ...(user && { user }) },
    }),
    { 'x-nudj-delivery-id': 'dlv_1' },
  )

describe('createHandleNotification', () => {
  it("writes a user's notification through the handler's transaction", async () => {
    const { handler, rows } = handlers()
    await handler(rewardEarned({ id: 'u1' }), {
      tx,
      id: 'dlv_1',
      message,
      attempt: 1,
      signal: AbortSignal.timeout(1000),
      logger,
    })
    expect(rows).toMatchObject([{ userId: 'u1', webhookId: 'dlv_1', rule: 'reward-earned' }])
  })

  it('an event a user rule matches but that names no user is fatal (USER_MISSING): the runtime dead-letters it', async () => {
    const { batchHandler } = handlers()
    const failure = await batchHandler([{ event: rewardEarned(undefined), id: 'dlv_1', message }], {
      tx,
      logger,
      signal: AbortSignal.timeout(1000),
    }).catch((err: unknown) => err)
    expect(failure).toMatchObject({ code: 'USER_MISSING', retryable: false })
    expect(dispositionOf(failure)).toMatchObject({ kind: 'fatal', code: 'USER_MISSING' })
  })
})
