// Proves that kafkajs 2.2.4 does what the project needs against the pinned Kafka 4.x broker.
import { Kafka, logLevel, type Admin } from 'kafkajs'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { consumeUntil, produce, uniqueName, waitFor } from '../src/index.ts'

const infra = inject('infra')
// kafkajs logs retriable coordinator errors (a fresh broker's coordinators are still
// loading) at ERROR level; the assertions, not the log, decide these tests.
const kafka = new Kafka({ clientId: 'stack-proof', brokers: infra.kafkaBrokers, logLevel: logLevel.NOTHING })
let admin: Admin

beforeAll(async () => {
  admin = kafka.admin()
  await admin.connect()
})
afterAll(async () => {
  await admin.disconnect()
})

async function createTopic(partitions: number): Promise<string> {
  const topic = uniqueName('proof')
  await admin.createTopics({ topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }] })
  // A loaded broker may answer UNKNOWN_TOPIC_OR_PARTITION for a moment after the creation,
  // which kafkajs's own waitForLeaders does not retry: wait until every partition has a leader.
  await waitFor(
    async () => (await admin.fetchTopicMetadata({ topics: [topic] })).topics[0]?.partitions.every((p) => p.leader >= 0) === true,
    { timeoutMs: 30_000, intervalMs: 100, retryErrors: true, message: `topic ${topic} had no leaders within 30 s` },
  )
  return topic
}

const keysOf = (records: { message: { key: Buffer | null } }[]): string[] => records.map((r) => r.message.key?.toString() ?? '').sort()

describe('kafkajs against the broker', () => {
  it('creates a topic with several partitions', async () => {
    const topic = await createTopic(6)
    const metadata = await admin.fetchTopicMetadata({ topics: [topic] })
    expect(metadata.topics[0]?.partitions).toHaveLength(6)
  })

  it('produces with acks=-1 from an idempotent producer, consumes in a group and commits', async () => {
    const topic = await createTopic(3)
    const groupId = uniqueName('group')
    const keys = Array.from({ length: 30 }, (_, i) => `key-${i}`)
    await produce(
      kafka,
      topic,
      keys.map((key) => ({ key, value: `value of ${key}` })),
    )

    const records = await consumeUntil(kafka, { topics: [topic], groupId, until: (r) => r.length >= keys.length })
    expect(keysOf(records)).toEqual([...keys].sort())
    expect(records.every((r) => r.message.value?.toString() === `value of ${r.message.key?.toString()}`)).toBe(true)

    // The group committed everything it read: committed offsets add up to the record count.
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] })
    const total = committed?.partitions.reduce((sum, p) => sum + Number(p.offset), 0)
    expect(total).toBe(keys.length)
  })

  it('resets and sets offsets of a stopped group, which then reads again from there', async () => {
    const topic = await createTopic(1)
    const groupId = uniqueName('group')
    await produce(kafka, topic, [
      { key: 'a', value: '1' },
      { key: 'b', value: '2' },
      { key: 'c', value: '3' },
    ])
    const first = await consumeUntil(kafka, { topics: [topic], groupId, until: (r) => r.length >= 3 })
    expect(first).toHaveLength(3)

    await admin.resetOffsets({ groupId, topic, earliest: true })
    const again = await consumeUntil(kafka, { topics: [topic], groupId, until: (r) => r.length >= 3 })
    expect(keysOf(again)).toEqual(['a', 'b', 'c'])

    await admin.setOffsets({ groupId, topic, partitions: [{ partition: 0, offset: '2' }] })
    const fromTwo = await consumeUntil(kafka, { topics: [topic], groupId, until: (r) => r.length >= 1 })
    expect(keysOf(fromTwo)).toEqual(['c'])
  })

  it('commits one transaction and hides an aborted one from read-committed consumers', async () => {
    const topic = await createTopic(2)
    const producer = kafka.producer({ transactionalId: uniqueName('tx'), idempotent: true, maxInFlightRequests: 1 })
    await producer.connect()
    try {
      const aborted = await producer.transaction()
      await aborted.send({ topic, messages: [{ key: 'aborted', value: 'x' }] })
      await aborted.abort()

      const committed = await producer.transaction()
      await committed.send({
        topic,
        messages: [
          { key: 'one', value: '1' },
          { key: 'two', value: '2' },
        ],
      })
      await committed.commit()
    } finally {
      await producer.disconnect()
    }
    // A marker record ends each transaction, so the committed data is followed by it:
    // wait for both committed records, then check the aborted one never appeared.
    const records = await consumeUntil(kafka, { topics: [topic], groupId: uniqueName('group'), until: (r) => r.length >= 2 })
    expect(keysOf(records)).toEqual(['one', 'two'])

    const everything = await consumeUntil(kafka, {
      topics: [topic],
      groupId: uniqueName('group'),
      readUncommitted: true,
      until: (r) => r.length >= 3,
    })
    expect(keysOf(everything)).toEqual(['aborted', 'one', 'two'])
  })
})
