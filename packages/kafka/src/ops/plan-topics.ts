import type { Admin } from 'kafkajs'
import type { TopicSpec } from '../ensure-topics.ts'

// kafkajs's ConfigResourceTypes.TOPIC; Node cannot import that name from the CommonJS kafkajs.
const topicResource = 2

export type ExistingTopic = { partitions: number; replicationFactor: number; config: Record<string, string> }
export type TopicPlan<S extends TopicSpec> = {
  create: S[]
  grow: { spec: S; partitions: number }[]
  right: S[]
  /** Differences ensure does not change: fewer partitions wanted, replication, configuration. */
  drift: string[]
}

/**
 * What `ensureTopics` would do with these specs, and what it leaves as it is. Configuration
 * differences (retention) are reported, never changed: shortening retention deletes data,
 * so that stays a deliberate act.
 */
export async function planTopics<S extends TopicSpec>(admin: Admin, specs: S[]): Promise<TopicPlan<S>> {
  const existing = await describeExistingTopics(
    admin,
    specs.map((s) => s.topic),
    [...new Set(specs.flatMap((s) => Object.keys(s.config ?? {})))],
  )
  const plan: TopicPlan<S> = { create: [], grow: [], right: [], drift: [] }
  for (const spec of specs) {
    const topic = existing.get(spec.topic)
    if (!topic) {
      plan.create.push(spec)
      continue
    }
    if (topic.partitions < spec.partitions) plan.grow.push({ spec, partitions: topic.partitions })
    else plan.right.push(spec)
    if (topic.partitions > spec.partitions) {
      plan.drift.push(`${spec.topic}: has ${topic.partitions} partitions, configured ${spec.partitions} (Kafka cannot lower it)`)
    }
    if (topic.replicationFactor !== spec.replicationFactor) {
      plan.drift.push(`${spec.topic}: replication factor is ${topic.replicationFactor}, configured ${spec.replicationFactor} (not changed)`)
    }
    for (const [name, value] of Object.entries(spec.config ?? {})) {
      if (topic.config[name] !== value) {
        plan.drift.push(`${spec.topic}: ${name} is ${topic.config[name] ?? 'unset'}, configured ${value} (not changed; see OPS.md)`)
      }
    }
  }
  return plan
}

/** Partitions, replication and the named configuration of those of `topics` that exist. */
export async function describeExistingTopics(admin: Admin, topics: string[], configNames: string[]): Promise<Map<string, ExistingTopic>> {
  const listed = new Set(await admin.listTopics())
  const present = topics.filter((t) => listed.has(t))
  const described = new Map<string, ExistingTopic>()
  if (present.length === 0) return described
  const metadata = await admin.fetchTopicMetadata({ topics: present })
  const configs = await admin.describeConfigs({
    resources: present.map((name) => ({ type: topicResource, name, configNames })),
    includeSynonyms: false,
  })
  for (const t of metadata.topics) {
    const resource = configs.resources.find((r) => r.resourceName === t.name)
    described.set(t.name, {
      partitions: t.partitions.length,
      replicationFactor: Math.min(...t.partitions.map((p) => p.replicas.length)),
      config: Object.fromEntries((resource?.configEntries ?? []).map((e) => [e.configName, e.configValue])),
    })
  }
  return described
}
