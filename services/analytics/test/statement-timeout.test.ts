// A projection table held by someone else (issue 17): the projector's statement outlives
// POSTGRES_STATEMENT_TIMEOUT, Postgres cancels it (57014), and the record goes to the retry
// tier as STATEMENT_TIMEOUT, never the DLQ at once and never lost; once the table is free,
// the retry projects it exactly once.
import { topicForCategory } from '@nudj-webhooks/contracts'
import { provenanceHeaders as h, retryTopicName } from '@nudj-webhooks/kafka'
import { consumeUntil, createFreshDatabase, uniqueName, waitFor, type FreshDatabase } from '@nudj-webhooks/testing'
import { Kafka, logLevel } from 'kafkajs'
import pg from 'pg'
import { afterAll, beforeAll, expect, inject, it } from 'vitest'
import type { AnalyticsConfig } from '../src/config.ts'
import type { RunningAnalytics } from '../src/start-analytics.ts'
import { produceEnvelopes } from './produce-envelopes.ts'
import { startTestAnalytics, testConfig } from './start-test-analytics.ts'

const infra = inject('infra')
const prefix = uniqueName('stmt')
let db: FreshDatabase
let config: AnalyticsConfig
let analytics: RunningAnalytics | undefined
let locker: pg.Client | undefined

beforeAll(async () => {
  db = await createFreshDatabase(infra.databaseUrl, 'analytics')
  config = testConfig(
    infra,
    { databaseUrl: db.url, topicPrefix: prefix, group: uniqueName('analytics') },
    { POSTGRES_STATEMENT_TIMEOUT: '500ms', ANALYTICS_RETRY_SCHEDULE: '2s,10s' },
  )
  analytics = await startTestAnalytics(config)
}, 180_000)

afterAll(async () => {
  await locker?.end()
  await analytics?.close()
  await db?.drop()
})

it('retries a projection cancelled by POSTGRES_STATEMENT_TIMEOUT (STATEMENT_TIMEOUT) and applies it once the table is free', async () => {
  const setting = await analytics!.pool.query<{ statement_timeout: string }>('SHOW statement_timeout')
  expect(setting.rows[0]?.statement_timeout).toBe('500ms')

  locker = new pg.Client({ connectionString: db.url })
  await locker.connect()
  await locker.query('BEGIN')
  await locker.query('LOCK TABLE analytics_rewards IN ACCESS EXCLUSIVE MODE')
  await produceEnvelopes(infra, topicForCategory('reward', prefix), [
    {
      webhookId: 'stmt-1',
      event: 'reward.earned',
      category: 'reward',
      body: { event: 'reward.earned', timestamp: '2026-05-01T10:00:00.000Z', data: { user: { id: 'u1' }, reward: { id: 'r-stmt' } } },
    },
  ])

  const kafka = new Kafka({ brokers: infra.kafkaBrokers, logLevel: logLevel.NOTHING })
  const records = await consumeUntil(kafka, {
    topics: [retryTopicName(config.CONSUMER_GROUP, 2_000)],
    groupId: uniqueName('reader'),
    until: (rs) => rs.some((r) => r.message.key?.toString() === 'stmt-1'),
    timeoutMs: 30_000,
  })
  const retried = records.find((r) => r.message.key?.toString() === 'stmt-1')!.message
  const headers = Object.fromEntries(Object.entries(retried.headers ?? {}).map(([name, value]) => [name, String(value)]))
  expect(headers).toMatchObject({
    [h.attempt]: '1',
    [h.errorCode]: 'STATEMENT_TIMEOUT',
    [h.errorMessage]: 'canceling statement due to statement timeout',
  })

  await locker.query('ROLLBACK')
  const earned = async (): Promise<number> =>
    Number(
      (await analytics!.pool.query<{ earned: string }>('SELECT earned FROM analytics_rewards WHERE reward_id = $1', ['r-stmt'])).rows[0]
        ?.earned ?? 0,
    )
  await waitFor(async () => (await earned()) === 1, { timeoutMs: 40_000, message: 'the retried record was never projected' })
  const ledger = await analytics!.pool.query('SELECT 1 FROM consumer_ledger WHERE consumer_group = $1 AND webhook_id = $2', [
    config.CONSUMER_GROUP,
    'stmt-1',
  ])
  expect(ledger.rowCount).toBe(1)
}, 90_000)
