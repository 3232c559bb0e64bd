import type { TopicSpec } from '../ensure-topics.ts'
import { dlqTopicName, retryTopicName } from '../group-topics.ts'
import type { Topology } from './load-topology.ts'

export type TopologyTopicSpec = TopicSpec & { role: 'topic' | 'retry' | 'dlq' | 'audit' }

/**
 * A dead letter waits for a person, who may be on holiday: the DLQ keeps its records four
 * times as long as the default (forever when the default is forever).
 */
export const dlqRetentionFactor = 4

/**
 * Every topic the topology implies, in a stable order: its topics, then each group's
 * retry topics and DLQ, then the audit topic (one partition so its records stay in order,
 * kept forever: it is the record of what operators did).
 */
export function topologyTopicSpecs(topology: Topology): TopologyTopicSpec[] {
  const { defaults } = topology
  const specs: TopologyTopicSpec[] = topology.topics.map((t) => ({
    role: 'topic',
    topic: t.name,
    partitions: t.partitions,
    replicationFactor: t.replicationFactor,
    config: { 'retention.ms': retentionMs(t.retentionHours) },
  }))
  for (const group of topology.groups) {
    for (const delay of group.retrySchedule) {
      specs.push({ role: 'retry', topic: retryTopicName(group.name, delay), ...withDefaults(topology, defaults.retentionHours) })
    }
    const dlqHours = defaults.retentionHours === -1 ? -1 : defaults.retentionHours * dlqRetentionFactor
    specs.push({ role: 'dlq', topic: dlqTopicName(group.name), ...withDefaults(topology, dlqHours) })
  }
  specs.push(auditTopicSpec(topology))
  return specs
}

export function auditTopicSpec(topology: Topology): TopologyTopicSpec {
  return {
    role: 'audit',
    topic: topology.auditTopic,
    partitions: 1,
    replicationFactor: topology.defaults.replicationFactor,
    config: { 'retention.ms': '-1' },
  }
}

function withDefaults(topology: Topology, retentionHours: number): Omit<TopicSpec, 'topic'> {
  const { partitions, replicationFactor } = topology.defaults
  return { partitions, replicationFactor, config: { 'retention.ms': retentionMs(retentionHours) } }
}

function retentionMs(hours: number): string {
  return hours === -1 ? '-1' : String(hours * 3_600_000)
}
