import { Kafka, logLevel } from 'kafkajs'

export type TopicCounts = { topic: string; records: number }

function client(brokers: string[]): Kafka {
  return new Kafka({ brokers, clientId: 'bench-audit', logLevel: logLevel.NOTHING, retry: { retries: 8 } })
}

/** Every topic named `<prefix>.*` and how many records it holds (end offset minus start offset, summed over partitions). */
export async function countPrefixTopics(brokers: string[], prefix: string): Promise<TopicCounts[]> {
  const admin = client(brokers).admin()
  await admin.connect()
  try {
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(`${prefix}.`)).sort()
    const counts: TopicCounts[] = []
    for (const topic of topics) {
      const offsets = await admin.fetchTopicOffsets(topic)
      counts.push({ topic, records: offsets.reduce((sum, p) => sum + (Number(p.high) - Number(p.low)), 0) })
    }
    return counts
  } finally {
    await admin.disconnect()
  }
}

/**
 * Reads every record of the topics from their start to the end offsets seen when it began,
 * partition by partition (no consumer group), and answers the keys with how often each occurs.
 */
export async function readTopicKeys(brokers: string[], topics: string[], timeoutMs = 60_000): Promise<Map<string, number>> {
  const kafka = client(brokers)
  const admin = kafka.admin()
  await admin.connect()
  const ends = new Map<string, number>()
  let expected = 0
  try {
    for (const topic of topics) {
      for (const p of await admin.fetchTopicOffsets(topic)) {
        const records = Number(p.high) - Number(p.low)
        ends.set(`${topic}/${p.partition}`, Number(p.high))
        expected += records
      }
    }
  } finally {
    await admin.disconnect()
  }
  const keys = new Map<string, number>()
  if (expected === 0) return keys
  const consumer = kafka.consumer({ groupId: `bench-audit-${process.pid}-${Date.now()}`, maxWaitTimeInMs: 200 })
  await consumer.connect()
  let seen = 0
  try {
    await consumer.subscribe({ topics, fromBeginning: true })
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`read ${seen} of ${expected} records within ${timeoutMs} ms`)), timeoutMs)
      void consumer
        .run({
          eachMessage: async ({ topic, partition, message }) => {
            if (Number(message.offset) >= (ends.get(`${topic}/${partition}`) ?? 0)) return
            const key = message.key?.toString('utf8') ?? '(no key)'
            keys.set(key, (keys.get(key) ?? 0) + 1)
            seen += 1
            if (seen >= expected) {
              clearTimeout(timer)
              resolve()
            }
          },
        })
        .catch(reject)
    })
  } finally {
    await consumer.disconnect()
  }
  return keys
}
