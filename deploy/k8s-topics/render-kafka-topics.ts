import { stringify } from 'yaml'

type TopicEntry = string | { name: string; partitions?: number; replicationFactor?: number; retentionHours?: number }
type Topology = {
  defaults: { partitions: number; replicationFactor: number; retentionHours: number }
  auditTopic: string
  topics: TopicEntry[]
  groups: Record<string, { topics: string[]; retrySchedule: string[] }>
}

export type PlannedTopic = { name: string; role: 'topic' | 'retry' | 'dlq' | 'audit'; partitions: number; retentionHours: number }

/** The Strimzi cluster the topics belong to (the `strimzi.io/cluster` label). */
export const kafkaClusterName = 'nudj-kafka'
const replicas = 3
const minInsyncReplicas = 2
// As OPS.md says: the DLQ keeps 4× the default retention, the audit topic forever.
const dlqRetentionFactor = 4

/** Every topic the topology implies, with the partitions and retention `ops topics ensure` gives it. */
export function planTopics(input: unknown): PlannedTopic[] {
  const topology = input as Topology
  const { partitions, retentionHours } = topology.defaults
  const planned: PlannedTopic[] = topology.topics.map((entry) =>
    typeof entry === 'string'
      ? { name: entry, role: 'topic', partitions, retentionHours }
      : {
          name: entry.name,
          role: 'topic',
          partitions: entry.partitions ?? partitions,
          retentionHours: entry.retentionHours ?? retentionHours,
        },
  )
  for (const [group, { retrySchedule }] of Object.entries(topology.groups)) {
    for (const delay of retrySchedule) planned.push({ name: `${group}.retry.${delay}`, role: 'retry', partitions, retentionHours })
    planned.push({
      name: `${group}.dlq`,
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
