import { allCategoryTopics, rejectedTopic } from '@nudj-webhooks/contracts'
import { ensureTopics } from '@nudj-webhooks/kafka'
import { waitFor } from '@nudj-webhooks/testing'
import { Kafka, logLevel } from 'kafkajs'

// kafkajs's ConfigResourceTypes.TOPIC (Node cannot import that name from the CommonJS kafkajs).
const topicResource = 2

export type TopicSettings = { topics: string[]; partitions: number; replication_factor: number; min_insync_replicas: string }

/**
 * Creates ingest's topics before ingest does, with replication 3 and min.insync.replicas 2 set
 * on each topic (not only as the brokers' default), reads the setting back, and creates the
 * consumer-offsets topic while all three brokers are up (the audit reads through a group later).
 */
export async function prepareTopics(brokers: string[], prefix: string, partitions: number): Promise<TopicSettings> {
  const admin = new Kafka({ brokers, clientId: 'bench-failover', logLevel: logLevel.NOTHING }).admin()
  await admin.connect()
  try {
    const topics = [...allCategoryTopics(prefix), rejectedTopic(prefix)]
    // ensureTopics tries again while a broker does not know the new topics yet.
    await ensureTopics(
      admin,
      topics.map((topic) => ({ topic, partitions, replicationFactor: 3, config: { 'min.insync.replicas': '2' } })),
    )
    // Every broker learns of new topics from the controller a moment later: ask until one answers.
    let minIsr = 'unknown'
    await waitFor(
      async () => {
        const described = await admin
          .describeConfigs({
            resources: [{ type: topicResource, name: topics[0]!, configNames: ['min.insync.replicas'] }],
            includeSynonyms: false,
          })
          .catch(() => undefined)
        minIsr = described?.resources[0]?.configEntries.find((e) => e.configName === 'min.insync.replicas')?.configValue ?? minIsr
        return described !== undefined
      },
      { timeoutMs: 30_000, intervalMs: 250, message: 'the new topics were not described within 30 s' },
    )
    await waitFor(
      async () => {
        try {
          await admin.fetchOffsets({ groupId: 'bench-failover-warm-up', topics: [topics[0]!] })
          return true
        } catch {
          return false
        }
      },
      { timeoutMs: 60_000, intervalMs: 500, message: 'the group coordinator did not come up within 60 s' },
    )
    return { topics, partitions, replication_factor: 3, min_insync_replicas: minIsr }
  } finally {
    await admin.disconnect()
  }
}

/** How many partitions of the topics each broker leads. */
export async function leadersByNode(brokers: string[], topics: string[]): Promise<Record<string, number>> {
  const admin = new Kafka({ brokers, clientId: 'bench-failover', logLevel: logLevel.NOTHING }).admin()
  await admin.connect()
  try {
    const metadata = await admin.fetchTopicMetadata({ topics })
    const counts: Record<string, number> = {}
    for (const topic of metadata.topics) for (const p of topic.partitions) counts[String(p.leader)] = (counts[String(p.leader)] ?? 0) + 1
    return counts
  } finally {
    await admin.disconnect()
  }
}
