// Hostile records on a category topic (issue 17): a body nested 200,000 levels deep, and a
// ~1 MiB body of random bytes that no compression brings under the DLQ's max.message.bytes.
// Each ends in the analytics group's DLQ with its provenance, and the partition flows on.
import { randomBytes } from 'node:crypto'
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry'
import { createEnvelopeCodec, topicForCategory } from '@nudj-webhooks/contracts'
import { dlqTopicName, ensureTopics, provenanceHeaders as h } from '@nudj-webhooks/kafka'
import { consumeUntil, createFreshDatabase, uniqueName, waitFor, type FreshDatabase } from '@nudj-webhooks/testing'
import { Kafka, logLevel, Partitioners, type KafkaMessage } from 'kafkajs'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import type { AnalyticsConfig } from '../src/config.ts'
import type { RunningAnalytics } from '../src/start-analytics.ts'
import { startTestAnalytics, testConfig } from './start-test-analytics.ts'

const infra = inject('infra')
const kafka = new Kafka({ brokers: infra.kafkaBrokers, logLevel: logLevel.NOTHING })
const envelopes = createEnvelopeCodec(new SchemaRegistry({ host: infra.schemaRegistryUrl }))
const prefix = uniqueName('poison')
const topic = topicForCategory('reward', prefix)
const depth = 200_000
let db: FreshDatabase
let config: AnalyticsConfig
let analytics: RunningAnalytics | undefined

beforeAll(async () => {
  db = await createFreshDatabase(infra.databaseUrl, 'analytics')
  config = testConfig(infra, { databaseUrl: db.url, topicPrefix: prefix, group: uniqueName('analytics') })
  // The category topic admits 2 MiB (a deployment may raise it); the group's DLQ, created
  // at startup, keeps the broker's default (~1 MiB).
  const admin = kafka.admin()
  await admin.connect()
  await ensureTopics(admin, [
    {
      topic,
      partitions: config.KAFKA_TOPIC_PARTITIONS,
      replicationFactor: config.KAFKA_REPLICATION_FACTOR,
      config: { 'max.message.bytes': String(2 * 1024 * 1024) },
    },
  ])
  await admin.disconnect()
  analytics = await startTestAnalytics(config)
}, 180_000)

afterAll(async () => {
  await analytics?.close()
  await db?.drop()
})

/** Writes envelopes as ingest would, in one request to one partition; answers each value and offset. */
async function write(partition: number, records: { webhookId: string; body: Buffer }[]): Promise<{ value: Buffer; offset: string }[]> {
  const values = await Promise.all(
    records.map(
      async ({ webhookId, body }) =>
        await envelopes.encode(topic, {
          webhookId,
          source: 'dev',
          event: 'reward.earned',
          canonicalEvent: 'reward.earned',
          category: 'reward',
          generation: 'gen2',
          receivedAt: Date.parse('2026-05-01T10:00:00Z'),
          authScheme: 'gen2-hmac',
          headers: { 'x-nudj-delivery-id': webhookId },
          body,
        }),
    ),
  )
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner })
  await producer.connect()
  try {
    const [sent] = await producer.send({
      topic,
      acks: -1,
      messages: records.map(({ webhookId }, i) => ({ key: webhookId, value: values[i]!, partition })),
    })
    return values.map((value, i) => ({ value, offset: String(Number(sent!.baseOffset) + i) }))
  } finally {
    await producer.disconnect()
  }
}

const rewardEarned = (webhookId: string, rewardId: string): { webhookId: string; body: Buffer } => ({
  webhookId,
  body: Buffer.from(
    JSON.stringify({
      event: 'reward.earned',
      timestamp: '2026-05-01T10:00:00.000Z',
      data: { user: { id: 'u1' }, reward: { id: rewardId } },
    }),
  ),
})

async function readRecord(topics: string[], found: (partition: number, message: KafkaMessage) => boolean): Promise<KafkaMessage> {
  const records = await consumeUntil(kafka, {
    topics,
    groupId: uniqueName('reader'),
    until: (rs) => rs.some((r) => found(r.partition, r.message)),
    timeoutMs: 30_000,
  })
  return records.find((r) => found(r.partition, r.message))!.message
}

const dlqRecord = async (key: string): Promise<KafkaMessage> =>
  await readRecord([dlqTopicName(config.CONSUMER_GROUP)], (_, m) => m.key?.toString() === key)

const headersOf = (message: KafkaMessage): Record<string, string> =>
  Object.fromEntries(Object.entries(message.headers ?? {}).map(([name, value]) => [name, String(value)]))

async function rewardEarnedCount(rewardId: string): Promise<number> {
  const { rows } = await analytics!.pool.query<{ earned: string }>('SELECT earned FROM analytics_rewards WHERE reward_id = $1', [rewardId])
  return Number(rows[0]?.earned ?? 0)
}

describe('analytics with poison pills on a category topic', () => {
  it('dead-letters a body nested 200,000 levels deep (VALIDATION_FAILED) and projects the record after it', async () => {
    const deepBody = `{"event":"reward.earned","timestamp":"2026-05-01T10:00:00.000Z","data":{"user":{"id":${'['.repeat(depth)}${']'.repeat(depth)}},"reward":{"id":"r-deep"}}}`
    const [poison] = await write(0, [
      { webhookId: 'poison-deep', body: Buffer.from(deepBody) },
      rewardEarned('good-after-deep', 'r-good-a'),
    ])

    const record = await dlqRecord('poison-deep')
    expect(record.value?.equals(poison!.value)).toBe(true)
    const headers = headersOf(record)
    expect(headers).toEqual({
      [h.attempt]: '1',
      [h.group]: config.CONSUMER_GROUP,
      [h.errorCode]: 'VALIDATION_FAILED',
      [h.errorMessage]: 'data.user.id must be a non-empty string or a number, got [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[...',
      [h.originTopic]: topic,
      [h.originPartition]: '0',
      [h.originOffset]: poison!.offset,
      [h.firstFailureAt]: expect.stringMatching(/^\d+$/) as unknown,
      [h.lastFailureAt]: headers[h.firstFailureAt],
    })
    await waitFor(async () => (await rewardEarnedCount('r-good-a')) === 1, {
      timeoutMs: 30_000,
      message: 'the record after the poison was not projected',
    })
    expect(await rewardEarnedCount('r-deep')).toBe(0)
  })

  it('dead-letters a ~1 MiB body of random bytes without its value (DECODE_FAILED, MESSAGE_TOO_LARGE) and projects the record after it', async () => {
    const random = randomBytes(1024 * 1024)
    random[0] = 0xff // never valid UTF-8
    const [poison] = await write(1, [{ webhookId: 'poison-big', body: random }, rewardEarned('good-after-big', 'r-good-b')])

    const record = await dlqRecord('poison-big')
    expect(record.value).toBeNull()
    const headers = headersOf(record)
    expect(headers).toEqual({
      [h.attempt]: '1',
      [h.group]: config.CONSUMER_GROUP,
      [h.errorCode]: 'DECODE_FAILED',
      [h.errorMessage]: 'the body is not valid UTF-8',
      [h.originTopic]: topic,
      [h.originPartition]: '1',
      [h.originOffset]: poison!.offset,
      [h.firstFailureAt]: expect.stringMatching(/^\d+$/) as unknown,
      [h.lastFailureAt]: headers[h.firstFailureAt],
      'x-value-omitted': 'MESSAGE_TOO_LARGE',
      'x-origin-value-bytes': String(poison!.value.length),
    })
    await waitFor(async () => (await rewardEarnedCount('r-good-b')) === 1, {
      timeoutMs: 30_000,
      message: 'the record after the poison was not projected',
    })

    // The original is still where the headers say.
    const original = await readRecord([topic], (partition, m) => partition === 1 && m.offset === poison!.offset)
    expect(original.value?.equals(poison!.value)).toBe(true)
  })
})
