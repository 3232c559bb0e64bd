import { dlqTopicName, parseTopology, retryTopicName } from '@nudj-webhooks/kafka'
import { stringify } from 'yaml'

export type PlannedTopic = { name: string; role: 'topic' | 'retry' | 'dlq' | 'audit'; partitions: number; retentionHours: number }

/** The Strimzi cluster the topics belong to (the `strimzi.io/cluster` label). */
export const kafkaClusterName = 'nudj-kafka'
const replicas = 3
const minInsyncReplicas = 2
// As OPS.md says: the DLQ keeps 4× the default retention, the audit topic forever.
const dlqRetentionFactor = 4

/**
 * Every topic the topology implies, with the partitions and retention `ops topics ensure`
 * gives it. Read through the ops CLI's own parser, so that a retry delay is named as the
 * services name it (`60s` is `x.retry.1m`), and a topology the CLI refuses is refused here.
 */
export function planTopics(input: unknown): PlannedTopic[] {
  const topology = parseTopology(input, 'deploy/topology.json')
  const { partitions, retentionHours } = topology.defaults
  const planned: PlannedTopic[] = topology.topics.map((t) => ({
    name: t.name,
    role: 'topic',
    partitions: t.partitions,
    retentionHours: t.retentionHours,
  }))
  for (const group of topology.groups) {
    for (const delayMs of group.retrySchedule) {
      planned.push({ name: retryTopicName(group.name, delayMs), role: 'retry', partitions, retentionHours })
    }
    planned.push({
      name: dlqTopicName(group.name),
      role: 'dlq',
      partitions,
      retentionHours: retentionHours === -1 ? -1 : retentionHours * dlqRetentionFactor,
    })
  }
  planned.push({ name: topology.auditTopic, role: 'audit', partitions: 1, retentionHours: -1 })
  return planned
}

/** The KafkaTopic resources as one YAML stream. */
export function renderKafkaTopics(topology: unknown): string {
  const documents = planTopics(topology).map((topic) =>
    stringify({
      apiVersion: 'kafka.strimzi.io/v1beta2',
      kind: 'KafkaTopic',
      metadata: {
        name: topic.name,
        labels: { 'strimzi.io/cluster': kafkaClusterName, 'nudj-webhooks/topic-role': topic.role },
      },
      spec: {
        partitions: topic.partitions,
        replicas,
        config: {
          'min.insync.replicas': minInsyncReplicas,
          'retention.ms': topic.retentionHours === -1 ? -1 : topic.retentionHours * 3_600_000,
          'cleanup.policy': 'delete',
        },
      },
    }),
  )
  return `# Generated from deploy/topology.json by deploy/bin/render-kafka-topics.ts; do not edit.\n${documents.join('---\n')}`
}
