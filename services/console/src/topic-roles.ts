import { rejectedTopic } from '@nudj-webhooks/contracts'
import { dlqTopicName, retryTopicName, type Topology } from '@nudj-webhooks/kafka'

/** What a topic holds: webhooks as ingest wrote them, a group's retries or dead letters, or rejected requests. */
export type TopicRole = { kind: 'received' } | { kind: 'retry'; group: string } | { kind: 'dlq'; group: string } | { kind: 'rejected' }

export type TopicRoles = {
  roleOf: (topic: string) => TopicRole | undefined
  /** The category topics, then every group's retry and dead-letter topics: where a webhook id is a key. */
  webhookTopics: string[]
  categoryTopics: string[]
  rejected: string
  /** Every topic the console reads. */
  all: string[]
}

/** The topology's topics sorted by what they hold; `topicPrefix` names the rejected-request topic. */
export function createTopicRoles(topology: Topology, topicPrefix: string): TopicRoles {
  const rejected = rejectedTopic(topicPrefix)
  const roles = new Map<string, TopicRole>()
  for (const { name } of topology.topics) roles.set(name, name === rejected ? { kind: 'rejected' } : { kind: 'received' })
  roles.set(rejected, { kind: 'rejected' })
  for (const group of topology.groups) {
    for (const delay of group.retrySchedule) roles.set(retryTopicName(group.name, delay), { kind: 'retry', group: group.name })
    roles.set(dlqTopicName(group.name), { kind: 'dlq', group: group.name })
  }
  const all = [...roles.keys()]
  const categoryTopics = all.filter((t) => roles.get(t)?.kind === 'received')
  return {
    roleOf: (topic) => roles.get(topic),
    categoryTopics,
    webhookTopics: all.filter((t) => roles.get(t)?.kind !== 'rejected'),
    rejected,
    all,
  }
}
