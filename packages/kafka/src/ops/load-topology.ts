import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { parseDuration, readJsonFile } from '@nudj-webhooks/config'
import { dlqTopicName, formatDelay, retryTopicName } from '../group-topics.ts'
import { UsageError } from './ops-errors.ts'

export type TopicSettings = { partitions: number; replicationFactor: number; retentionHours: number }
export type TopologyTopic = TopicSettings & { name: string }
/** A consumer group, its topics, and its retry delays in milliseconds (first retry topic first). */
export type TopologyGroup = { name: string; topics: string[]; retrySchedule: number[] }
export type Topology = { defaults: TopicSettings; auditTopic: string; topics: TopologyTopic[]; groups: TopologyGroup[] }

/** The topology file cannot be used; the message lists every problem. */
export class TopologyError extends Error {
  readonly code = 'TOPOLOGY_INVALID'
  readonly retryable = false
  readonly problems: string[]

  constructor(file: string, problems: string[]) {
    super(`${file} is not a usable topology:\n  ${problems.join('\n  ')}`)
    this.name = 'TopologyError'
    this.problems = problems
  }
}

/** Reads and checks a topology file (see OPS.md for its shape). */
export async function loadTopology(file: string): Promise<Topology> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (err) {
    throw new TopologyError(file, [`cannot read it: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`])
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (err) {
    throw new TopologyError(file, [`not JSON: ${(err as Error).message}`])
  }
  return parseTopology(json, file)
}

/** Checks a parsed topology, listing every problem at once. */
export function parseTopology(json: unknown, file = 'topology'): Topology {
  const problems: string[] = []
  const root = object(json, '(root)', problems, ['defaults', 'auditTopic', 'topics', 'groups']) ?? {}
  const defaultsJson = object(root.defaults, 'defaults', problems, ['partitions', 'replicationFactor', 'retentionHours'])
  const defaults: TopicSettings = {
    partitions: whole(defaultsJson?.partitions, 'defaults.partitions', 1, problems) ?? 1,
    replicationFactor: whole(defaultsJson?.replicationFactor, 'defaults.replicationFactor', 1, problems) ?? 1,
    retentionHours: retention(defaultsJson?.retentionHours, 'defaults.retentionHours', problems) ?? -1,
  }
  const auditTopic = topicName(root.auditTopic, 'auditTopic', problems) ?? ''

  const topics: TopologyTopic[] = []
  if (!Array.isArray(root.topics) || root.topics.length === 0) problems.push('topics: must be a non-empty list')
  for (const [i, entry] of (Array.isArray(root.topics) ? (root.topics as unknown[]) : []).entries()) {
    const path = `topics[${i}]`
    if (typeof entry === 'string') {
      const name = topicName(entry, path, problems)
      if (name) topics.push({ name, ...defaults })
      continue
    }
    const o = object(entry, path, problems, ['name', 'partitions', 'replicationFactor', 'retentionHours'])
    if (!o) continue
    const name = topicName(o.name, `${path}.name`, problems)
    const topic = {
      partitions: o.partitions === undefined ? defaults.partitions : whole(o.partitions, `${path}.partitions`, 1, problems),
      replicationFactor:
        o.replicationFactor === undefined
          ? defaults.replicationFactor
          : whole(o.replicationFactor, `${path}.replicationFactor`, 1, problems),
      retentionHours:
        o.retentionHours === undefined ? defaults.retentionHours : retention(o.retentionHours, `${path}.retentionHours`, problems),
    }
    if (name && topic.partitions && topic.replicationFactor && topic.retentionHours) topics.push({ ...topic, name } as TopologyTopic)
  }

  const groups: TopologyGroup[] = []
  const known = new Set(topics.map((t) => t.name))
  for (const [name, entry] of Object.entries(object(root.groups, 'groups', problems, undefined) ?? {})) {
    const path = `groups.${name}`
    if (!/^[a-zA-Z0-9._-]+$/.test(name)) problems.push(`${path}: a group name may hold only letters, digits, '.', '_' and '-'`)
    const o = object(entry, path, problems, ['topics', 'retrySchedule'])
    if (!o) continue
    const groupTopics = stringList(o.topics, `${path}.topics`, problems)
    for (const topic of groupTopics) if (!known.has(topic)) problems.push(`${path}.topics: '${topic}' is not in topics`)
    const retrySchedule = parseRetrySchedule(
      stringList(o.retrySchedule, `${path}.retrySchedule`, problems),
      `${path}.retrySchedule`,
      problems,
    )
    groups.push({ name, topics: groupTopics, retrySchedule })
  }

  // Every topic the topology implies must have its own name (and one Kafka accepts).
  const owners = new Map<string, string>()
  const claim = (topic: string, owner: string): void => {
    const previous = owners.get(topic)
    if (previous) problems.push(`${owner}: topic '${topic}' is also ${previous}`)
    else owners.set(topic, owner)
    if (topic.length > 249) problems.push(`${owner}: topic '${topic}' is longer than Kafka's 249 characters`)
  }
  for (const topic of topics) claim(topic.name, `listed in topics`)
  if (auditTopic) claim(auditTopic, 'the audit topic')
  for (const group of groups) {
    for (const delay of group.retrySchedule) claim(retryTopicName(group.name, delay), `a retry topic of group ${group.name}`)
    claim(dlqTopicName(group.name), `the DLQ of group ${group.name}`)
  }
  if (problems.length > 0) throw new TopologyError(file, problems)
  return { defaults, auditTopic, topics, groups }
}

/**
 * A retry schedule as the topology holds it (`["10s", "1m", "10m"]`): durations longer than 0,
 * each naming a retry topic of its own (`60s` and `1m` are one topic, `x.retry.1m`). Used for
 * the file and for a service's `<SERVICE>_RETRY_SCHEDULE` alike.
 */
export function parseRetrySchedule(delays: string[], path: string, problems: string[]): number[] {
  const schedule: number[] = []
  const named = new Map<string, string>()
  for (const [j, delay] of delays.entries()) {
    let ms: number
    try {
      ms = parseDuration(delay)
    } catch (err) {
      problems.push(`${path}[${j}]: ${(err as Error).message}`)
      continue
    }
    const same = named.get(formatDelay(ms))
    if (ms <= 0) problems.push(`${path}[${j}]: must be longer than 0`)
    else if (same !== undefined) problems.push(`${path}[${j}]: '${delay}' is the delay of '${same}' (one retry topic each)`)
    else {
      named.set(formatDelay(ms), delay)
      schedule.push(ms)
    }
  }
  return schedule
}

/** The repository's topology (deploy/topology.json, also in each service's image): the services' default. */
export const defaultTopologyFile = fileURLToPath(new URL('../../../../deploy/topology.json', import.meta.url))

/**
 * A consumer service's group as the topology file gives it, read synchronously with its config.
 * The file names topics under the default prefix: `topicPrefix` (KAFKA_TOPIC_PREFIX), when
 * given, takes its place, keeping the last segment (`nudj.webhooks.reward` is `<prefix>.reward`). A schedule in
 * `override` (the service's `<SERVICE>_RETRY_SCHEDULE`, comma-separated) replaces the file's,
 * checked by the same rules. Every problem goes to `problems`.
 */
export function readGroupTopology(
  file: string,
  options: { group: string; topicPrefix?: string | undefined; override?: { name: string; value: string | undefined } },
  problems: string[],
): Omit<TopologyGroup, 'name'> | undefined {
  let topology: Topology
  try {
    topology = parseTopology(readJsonFile(file), file)
  } catch (err) {
    problems.push(`TOPOLOGY_FILE: ${err instanceof TopologyError ? err.message : `cannot read ${file}: ${(err as Error).message}`}`)
    return undefined
  }
  const group = topology.groups.find((g) => g.name === options.group)
  if (!group) {
    problems.push(`TOPOLOGY_FILE: ${file} has no group '${options.group}' (groups: ${topology.groups.map((g) => g.name).join(', ')})`)
    return undefined
  }
  const { topicPrefix } = options
  const topics =
    topicPrefix === undefined ? group.topics : group.topics.map((topic) => `${topicPrefix}.${topic.slice(topic.lastIndexOf('.') + 1)}`)
  const { override } = options
  if (override?.value === undefined) return { topics, retrySchedule: group.retrySchedule }
  const delays = override.value.split(',').map((d) => d.trim())
  const before = problems.length
  const retrySchedule = parseRetrySchedule(delays, override.name, problems)
  return problems.length === before ? { topics, retrySchedule } : undefined
}

/** The named group, or a usage error listing the groups there are. */
export function topologyGroup(topology: Topology, name: string): TopologyGroup {
  const group = topology.groups.find((g) => g.name === name)
  if (!group)
    throw new UsageError(`unknown group '${name}'; the topology's groups are ${topology.groups.map((g) => g.name).join(', ') || '(none)'}`)
  return group
}

function object(value: unknown, path: string, problems: string[], keys: string[] | undefined): Record<string, unknown> | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    problems.push(`${path}: must be an object`)
    return undefined
  }
  const o = value as Record<string, unknown>
  for (const key of Object.keys(o))
    if (keys && !keys.includes(key)) problems.push(`${path}: unknown field '${key}' (known: ${keys.join(', ')})`)
  return o
}

function whole(value: unknown, path: string, min: number, problems: string[]): number | undefined {
  if (typeof value === 'number' && Number.isInteger(value) && value >= min) return value
  problems.push(`${path}: must be a whole number, ${min} or more, got ${JSON.stringify(value) ?? 'nothing'}`)
  return undefined
}

function retention(value: unknown, path: string, problems: string[]): number | undefined {
  if (value === -1 || (typeof value === 'number' && Number.isInteger(value) && value >= 1)) return value
  problems.push(`${path}: must be a whole number of hours, 1 or more, or -1 to keep forever, got ${JSON.stringify(value) ?? 'nothing'}`)
  return undefined
}

function topicName(value: unknown, path: string, problems: string[]): string | undefined {
  if (typeof value === 'string' && /^[a-zA-Z0-9._-]+$/.test(value) && value !== '.' && value !== '..') return value
  problems.push(`${path}: must be a topic name (letters, digits, '.', '_', '-'), got ${JSON.stringify(value) ?? 'nothing'}`)
  return undefined
}

function stringList(value: unknown, path: string, problems: string[]): string[] {
  if (!Array.isArray(value) || value.length === 0 || !value.every((v) => typeof v === 'string')) {
    problems.push(`${path}: must be a non-empty list of strings`)
    return []
  }
  const seen = new Set<string>()
  for (const v of value) {
    if (seen.has(v)) problems.push(`${path}: '${v}' is listed twice`)
    seen.add(v)
  }
  return [...seen]
}
