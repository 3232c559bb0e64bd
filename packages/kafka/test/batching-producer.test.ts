import { uniqueName, consumeUntil } from '@nudj-webhooks/testing'
import { Kafka, logLevel, Partitioners, type Admin } from 'kafkajs'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { createBatchingProducer, ensureTopics, RetryableError } from '../src/index.ts'

const infra = inject('infra')
const kafka = new Kafka({ brokers: infra.kafkaBrokers, logLevel: logLevel.NOTHING })
let admin: Admin

beforeAll(async () => {
  admin = kafka.admin()
  await admin.connect()
})
afterAll(async () => {
  await admin.disconnect()
})

async function topic(partitions = 3): Promise<string> {
  const name = uniqueName('batching')
  await ensureTopics(admin, [{ topic: name, partitions, replicationFactor: 1 }])
  return name
}

async function connectedProducer() {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner })
  await producer.connect()
  return producer
}

describe('createBatchingProducer', () => {
  it('lets concurrent sends share batches, each resolving once its record is in Kafka', async () => {
    const name = await topic()
    const batches: number[] = []
    const producer = createBatchingProducer(await connectedProducer(), {
      lingerMs: 5,
      maxBatchRecords: 100,
      maxPendingRecords: 10_000,
      compression: 'gzip',
      onBatch: ({ records, ok }) => ok && batches.push(records),
    })
    const keys = Array.from({ length: 500 }, (_, i) => `key-${i}`)
    await Promise.all(
      keys.map(async (key) => await producer.send({ topic: name, key, value: Buffer.from(`value of ${key}`), headers: { h: key } })),
    )
    await producer.close()

    expect(batches.reduce((a, b) => a + b, 0)).toBe(500)
    expect(batches.length).toBeLessThan(50)
    expect(Math.max(...batches)).toBeLessThanOrEqual(100)
    const records = await consumeUntil(kafka, { topics: [name], groupId: uniqueName('check'), until: (r) => r.length >= 500 })
    expect(records.map((r) => r.message.key?.toString()).sort()).toEqual([...keys].sort())
    expect(
      records.every(
        (r) =>
          r.message.value?.toString() === `value of ${r.message.key?.toString()}` &&
          r.message.headers?.h?.toString() === r.message.key?.toString(),
      ),
    ).toBe(true)
  })

  it('refuses at once past maxPendingRecords, and close() still delivers what was accepted', async () => {
    const name = await topic(1)
    const producer = createBatchingProducer(await connectedProducer(), {
      lingerMs: 50,
      maxBatchRecords: 10,
      maxPendingRecords: 5,
      compression: 'none',
    })
    const accepted = Array.from({ length: 5 }, async (_, i) => await producer.send({ topic: name, key: `k${i}`, value: Buffer.from('v') }))
    const refused = producer.send({ topic: name, key: 'k5', value: Buffer.from('v') })
    await expect(refused).rejects.toBeInstanceOf(RetryableError)
    await expect(refused).rejects.toMatchObject({ code: 'PRODUCER_OVERLOADED', retryable: true })
    expect(producer.pending()).toBe(5)
    await producer.close()
    await Promise.all(accepted)
    const records = await consumeUntil(kafka, { topics: [name], groupId: uniqueName('check'), until: (r) => r.length >= 5 })
    expect(records.map((r) => r.message.key?.toString()).sort()).toEqual(['k0', 'k1', 'k2', 'k3', 'k4'])
  })

  it('rejects the sends of a batch Kafka refuses with PRODUCE_FAILED', async () => {
    const producer = createBatchingProducer(await connectedProducer(), {
      lingerMs: 1,
      maxBatchRecords: 10,
      maxPendingRecords: 100,
      compression: 'none',
    })
    // A record larger than the broker accepts (message.max.bytes, about 1 MB) fails for good.
    const tooLarge = producer.send({ topic: await topic(1), key: 'big', value: Buffer.alloc(2 * 1024 * 1024) })
    await expect(tooLarge).rejects.toMatchObject({ code: 'PRODUCE_FAILED' })
    await producer.close()
  })
})

describe('ensureTopics', () => {
  it('creates missing topics, grows partitions, and leaves the rest alone', async () => {
    const [a, b] = [uniqueName('ensure'), uniqueName('ensure')]
    expect(await ensureTopics(admin, [{ topic: a, partitions: 2, replicationFactor: 1, config: { 'retention.ms': '3600000' } }])).toEqual({
      created: [a],
      grown: [],
    })
    const again = await ensureTopics(admin, [
      { topic: a, partitions: 4, replicationFactor: 1 },
      { topic: b, partitions: 1, replicationFactor: 1 },
    ])
    expect(again).toEqual({ created: [b], grown: [a] })
    const metadata = await admin.fetchTopicMetadata({ topics: [a, b] })
    const partitions = new Map(metadata.topics.map((t) => [t.name, t.partitions.length]))
    expect([...partitions].sort()).toEqual(
      [
        [a, 4],
        [b, 1],
      ].sort(),
    )
    const [config] = (
      await admin.describeConfigs({ resources: [{ type: 2, name: a, configNames: ['retention.ms'] }], includeSynonyms: false })
    ).resources
    expect(config?.configEntries[0]?.configValue).toBe('3600000')
    expect(await ensureTopics(admin, [{ topic: a, partitions: 2, replicationFactor: 1 }])).toEqual({ created: [], grown: [] })
  })
})
