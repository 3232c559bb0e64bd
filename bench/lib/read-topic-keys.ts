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
 * and answers the keys with how often each occurs. Each record is counted once by its
 * topic, partition and offset, so a record fetched twice (a rebalance of the reading group
 * redelivers what it had not committed) neither ends the read early nor counts twice; the
 * read ends when every partition has delivered its last offset.
 */
export async function readTopicKeys(brokers: string[], topics: string[], timeoutMs = 60_000): Promise<Map<string, number>> {
  const kafka = client(brokers)
  const admin = kafka.admin()
  await admin.connect()
  const ends = new Map<string, number>()
  try {
    for (const topic of topics) {
      for (const p of await admin.fetchTopicOffsets(topic))
        if (Number(p.high) > Number(p.low)) ends.set(`${topic}/${p.partition}`, Number(p.high))
    }
  } finally {
    await admin.disconnect()
  }
  const keys = new Map<string, number>()
  if (ends.size === 0) return keys
  const remaining = new Set(ends.keys())
  const seen = new Set<string>()
  const consumer = kafka.consumer({ groupId: `bench-audit-${process.pid}-${Date.now()}`, maxWaitTimeInMs: 200 })
  await consumer.connect()
  try {
    await consumer.subscribe({ topics, fromBeginning: true })
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(`read ${seen.size} records within ${timeoutMs} ms; partitions not read to the end: ${[...remaining].join(', ')}`),
          ),
        timeoutMs,
      )
      void consumer
        .run({
          eachMessage: async ({ topic, partition, message }) => {
            const where = `${topic}/${partition}`
            const offset = Number(message.offset)
            const end = ends.get(where) ?? 0
            if (offset >= end || seen.has(`${where}/${offset}`)) return
            seen.add(`${where}/${offset}`)
            const key = message.key?.toString('utf8') ?? '(no key)'
            keys.set(key, (keys.get(key) ?? 0) + 1)
            if (offset === end - 1) remaining.delete(where)
            if (remaining.size === 0) {
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
