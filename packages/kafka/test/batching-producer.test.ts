import { consumeUntil, uniqueName, waitFor } from '@nudj-webhooks/testing'
import { Kafka, logLevel, Partitioners, type Admin } from 'kafkajs'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import {
  createBatchingProducer,
  ensureTopics,
  kafkajsProducerDriver,
  platformaticProducerDriver,
  RetryableError,
  type BatchingProducerOptions,
  type CreateProducerDriver,
} from '../src/index.ts'

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

async function topic(partitions = 3, config?: Record<string, string>): Promise<string> {
  const name = uniqueName('batching')
  await ensureTopics(admin, [{ topic: name, partitions, replicationFactor: 1, config }])
  return name
}

const defaults: BatchingProducerOptions = {
  lingerMs: 5,
  maxBatchRecords: 100,
  maxBatchBytes: 512 * 1024,
  maxPendingRecords: 10_000,
  maxPendingBytes: 64 * 1024 * 1024,
  compression: 'gzip',
  stallMs: 60_000,
}

/** Every record of a topic once (by partition and offset), read back through a consumer group. */
async function stored(name: string, count: number) {
  const records = await consumeUntil(kafka, { topics: [name], groupId: uniqueName('check'), until: (r) => r.length >= count })
  const byOffset = new Map(records.map((r) => [`${r.partition}/${r.message.offset}`, r]))
  return [...byOffset.values()].map((r) => ({
    partition: r.partition,
    key: r.message.key?.toString() ?? '',
    value: r.message.value?.toString(),
    header: r.message.headers?.h?.toString(),
  }))
}

const drivers: [string, CreateProducerDriver][] = [
  ['kafkajs', kafkajsProducerDriver(kafka)],
  ['platformatic', platformaticProducerDriver({ brokers: infra.kafkaBrokers, clientId: 'batching-test' })],
]

describe.each(drivers)('createBatchingProducer with the %s driver', (_name, driver) => {
  it('lets concurrent sends share batches bounded by records and bytes, each key on the partition the Java client picks', async () => {
    const name = await topic()
    const batches: { records: number; bytes: number }[] = []
    const producer = await createBatchingProducer(driver, {
      ...defaults,
      maxBatchBytes: 16 * 1024,
      onBatch: ({ records, bytes, ok }) => ok && batches.push({ records, bytes }),
    })
    const keys = Array.from({ length: 500 }, (_, i) => `key-${i}`)
    await Promise.all(
      keys.map(async (key) => await producer.send({ topic: name, key, value: Buffer.from(`value of ${key}`), headers: { h: key } })),
    )
    await producer.close()

    expect(batches.reduce((sum, b) => sum + b.records, 0)).toBe(500)
    expect(batches.length).toBeLessThan(100)
    expect(Math.max(...batches.map((b) => b.records))).toBeLessThanOrEqual(100)
    expect(Math.max(...batches.map((b) => b.bytes))).toBeLessThanOrEqual(16 * 1024)
    const records = await stored(name, 500)
    expect(records.map((r) => r.key).sort()).toEqual([...keys].sort())
    const partitioner = Partitioners.DefaultPartitioner()
    const partitionMetadata = [0, 1, 2].map((partitionId) => ({
      partitionId,
      leader: 1,
      replicas: [1],
      isr: [1],
      offlineReplicas: [],
      partitionErrorCode: 0,
    }))
    for (const r of records) {
      expect(r).toEqual({
        partition: partitioner({ topic: name, partitionMetadata, message: { key: r.key, value: null } }),
        key: r.key,
        value: `value of ${r.key}`,
        header: r.key,
      })
    }
  })

  it('refuses at once past maxPendingRecords or maxPendingBytes, and close() still delivers what was accepted', async () => {
    const name = await topic(1)
    const producer = await createBatchingProducer(driver, { ...defaults, lingerMs: 50, maxBatchRecords: 10, maxPendingRecords: 5 })
    const accepted = Array.from({ length: 5 }, async (_, i) => await producer.send({ topic: name, key: `k${i}`, value: Buffer.from('v') }))
    const refused = producer.send({ topic: name, key: 'k5', value: Buffer.from('v') })
    await expect(refused).rejects.toBeInstanceOf(RetryableError)
    await expect(refused).rejects.toMatchObject({ code: 'PRODUCER_OVERLOADED', retryable: true })
    expect(producer.pending()).toBe(5)
    await producer.close()
    await Promise.all(accepted)
    expect((await stored(name, 5)).map((r) => r.key).sort()).toEqual(['k0', 'k1', 'k2', 'k3', 'k4'])

    const bytes = await createBatchingProducer(driver, { ...defaults, lingerMs: 50, maxPendingBytes: 1024 * 1024 })
    const first = bytes.send({ topic: name, key: 'half', value: Buffer.alloc(600 * 1024) })
    await expect(bytes.send({ topic: name, key: 'more', value: Buffer.alloc(600 * 1024) })).rejects.toMatchObject({
      code: 'PRODUCER_OVERLOADED',
    })
    await first
    await bytes.close()
  })

  it('replaces the producer after the broker refuses part of a batch, and loses no record it acknowledged', async () => {
    // One partition's part of the batch is too large; the broker writes the others. kafkajs then
    // rolls back every partition's sequence numbers, and without a new producer id the next
    // batch was taken as a duplicate (acknowledged, not written) or refused forever.
    const name = await topic(3, { 'max.message.bytes': '4096' })
    const replaced: string[] = []
    const producer = await createBatchingProducer(driver, {
      ...defaults,
      lingerMs: 100,
      compression: 'none',
      onReplace: ({ code }) => replaced.push(code),
    })
    const first = Array.from({ length: 30 }, (_, i) => producer.send({ topic: name, key: `first-${i}`, value: Buffer.from(`first ${i}`) }))
    first.push(producer.send({ topic: name, key: 'too-large', value: Buffer.alloc(8192, 1) }))
    const outcomes = await Promise.allSettled(first)
    expect(outcomes.every((o) => o.status === 'rejected' && (o.reason as RetryableError).code === 'PRODUCE_FAILED')).toBe(true)
    expect(producer.unready()).toMatch(/^replacing the Kafka producer after (MESSAGE_TOO_LARGE|RECORD_LIST_TOO_LARGE)$/)
    expect(replaced).toHaveLength(1)

    // Several batches after the failure, of as many records as the failed one had per partition.
    const acknowledged: string[] = []
    for (let round = 0; round < 3; round++) {
      const keys = Array.from({ length: 31 }, (_, i) => `after-${round}-${i}`)
      await Promise.all(keys.map(async (key) => await producer.send({ topic: name, key, value: Buffer.from(`value of ${key}`) })))
      acknowledged.push(...keys)
    }
    await waitFor(() => producer.unready() === undefined, { timeoutMs: 10_000 })
    await producer.close()
    const offsets = await admin.fetchTopicOffsets(name)
    const total = offsets.reduce((sum, p) => sum + Number(p.high), 0)
    const records = await stored(name, total)
    const after = records.filter((r) => r.key.startsWith('after-'))
    expect(after.map((r) => r.key).sort()).toEqual([...acknowledged].sort())
    expect(after.every((r) => r.value === `value of ${r.key}`)).toBe(true)
    expect(replaced).toHaveLength(1)
  })
})
