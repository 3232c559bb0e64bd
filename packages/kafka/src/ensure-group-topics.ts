import type { Kafka } from 'kafkajs'
import { ensureTopics } from './ensure-topics.ts'
import { dlqTopicName, retryTopicName } from './group-topics.ts'

export type GroupTopicsOptions = {
  group: string
  /** The topics the group reads (created too when the group starts before their writer). */
  topics: string[]
  retrySchedule: number[]
  partitions: number
  replicationFactor: number
  /** Retention of the topics and the retry tiers; -1 keeps forever. The DLQ keeps four times as long. */
  retentionHours: number
}

/**
 * Creates what a consumer group needs before it starts: the topics it reads, one topic per
 * retry tier and its DLQ, with the retention `pnpm ops topics ensure` would give them (the
 * first creator of a topic fixes its settings, so every creator must agree).
 */
export async function ensureGroupTopics(kafka: Kafka, options: GroupTopicsOptions): Promise<{ created: string[]; grown: string[] }> {
  const { group, partitions, replicationFactor, retentionHours } = options
  const spec = (topic: string, hours: number) => ({
    topic,
    partitions,
    replicationFactor,
    config: { 'retention.ms': hours === -1 ? '-1' : String(hours * 3_600_000) },
  })
  const specs = [
    ...options.topics.map((topic) => spec(topic, retentionHours)),
    ...options.retrySchedule.map((delay) => spec(retryTopicName(group, delay), retentionHours)),
    spec(dlqTopicName(group), retentionHours === -1 ? -1 : retentionHours * 4),
  ]
  const admin = kafka.admin()
  await admin.connect()
  try {
    return await ensureTopics(admin, specs)
  } finally {
    await admin.disconnect()
  }
}
