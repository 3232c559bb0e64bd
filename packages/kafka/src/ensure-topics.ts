import { setTimeout as sleep } from 'node:timers/promises'
import type { Admin, ITopicConfig } from 'kafkajs'

export type TopicSpec = { topic: string; partitions: number; replicationFactor: number; config?: Record<string, string> }

const attempts = 10

/**
 * Creates the topics that are missing and raises the partition count of those that have
 * fewer than asked (never lowers it: Kafka cannot). Answers what it changed. A topic that
 * another service has just created may not be in the broker's metadata yet
 * (UNKNOWN_TOPIC_OR_PARTITION, which kafkajs marks retriable): such errors are tried again
 * for a few seconds before they fail the caller's start.
 */
export async function ensureTopics(admin: Admin, specs: TopicSpec[]): Promise<{ created: string[]; grown: string[] }> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await ensureTopicsOnce(admin, specs)
    } catch (err) {
      if ((err as { retriable?: boolean }).retriable !== true || attempt >= attempts) throw err
      await sleep(250 * attempt)
    }
  }
}

async function ensureTopicsOnce(admin: Admin, specs: TopicSpec[]): Promise<{ created: string[]; grown: string[] }> {
  const existing = new Set(await admin.listTopics())
  const missing = specs.filter((s) => !existing.has(s.topic))
  if (missing.length > 0) {
    const topics: ITopicConfig[] = missing.map((s) => ({
      topic: s.topic,
      numPartitions: s.partitions,
      replicationFactor: s.replicationFactor,
      configEntries: Object.entries(s.config ?? {}).map(([name, value]) => ({ name, value })),
    }))
    // Another replica may create the same topic at the same moment; that is fine.
    await admin.createTopics({ topics, waitForLeaders: true }).catch((err: { type?: string }) => {
      if (err.type !== 'TOPIC_ALREADY_EXISTS') throw err
    })
  }
  const present = specs.filter((s) => existing.has(s.topic))
  const grown: string[] = []
  if (present.length > 0) {
    const metadata = await admin.fetchTopicMetadata({ topics: present.map((s) => s.topic) })
    const toGrow = present.filter((s) => (metadata.topics.find((t) => t.name === s.topic)?.partitions.length ?? 0) < s.partitions)
    if (toGrow.length > 0) {
      await admin.createPartitions({ topicPartitions: toGrow.map((s) => ({ topic: s.topic, count: s.partitions })) })
      grown.push(...toGrow.map((s) => s.topic))
    }
  }
  return { created: missing.map((s) => s.topic), grown }
}
