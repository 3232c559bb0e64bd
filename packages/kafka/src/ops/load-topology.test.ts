import { describe, expect, it } from 'vitest'
import { defaultTopologyFile, parseTopology, readGroupTopology, TopologyError } from './load-topology.ts'
import { topologyTopicSpecs } from './topology-topic-specs.ts'

const valid = {
  defaults: { partitions: 6, replicationFactor: 1, retentionHours: 720 },
  auditTopic: 'ops.audit',
  topics: ['a.reward', { name: 'a.user', partitions: 12, retentionHours: -1 }],
  groups: { email: { topics: ['a.reward', 'a.user'], retrySchedule: ['30s', '5m'] } },
}

function problemsOf(json: unknown): string[] {
  try {
    parseTopology(json)
  } catch (err) {
    if (err instanceof TopologyError) return err.problems
    throw err
  }
  return []
}

describe('parseTopology', () => {
  it('applies defaults and per-topic overrides, and derives every group topic', () => {
    const topology = parseTopology(valid)
    expect(topology.topics).toEqual([
      { name: 'a.reward', partitions: 6, replicationFactor: 1, retentionHours: 720 },
      { name: 'a.user', partitions: 12, replicationFactor: 1, retentionHours: -1 },
    ])
    expect(topology.groups).toEqual([{ name: 'email', topics: ['a.reward', 'a.user'], retrySchedule: [30_000, 300_000] }])
    expect(topologyTopicSpecs(topology).map((s) => [s.topic, s.partitions, s.config?.['retention.ms']])).toEqual([
      ['a.reward', 6, String(720 * 3_600_000)],
      ['a.user', 12, '-1'],
      ['email.retry.30s', 6, String(720 * 3_600_000)],
      ['email.retry.5m', 6, String(720 * 3_600_000)],
      ['email.dlq', 6, String(4 * 720 * 3_600_000)],
      ['ops.audit', 1, '-1'],
    ])
  })

  it('lists every problem at once', () => {
    const problems = problemsOf({
      defaults: { partitions: 0, replicationFactor: 1, retentionHours: 0 },
      auditTopic: 'a.reward',
      topics: ['a.reward', { name: 'bad topic', partitionz: 3 }, 'a.reward'],
      groups: { email: { topics: ['a.reward', 'a.nope'], retrySchedule: ['30s', 'soon', '0.5m'] }, extra: 'x' },
      surplus: true,
    })
    expect(problems).toEqual([
      "(root): unknown field 'surplus' (known: defaults, auditTopic, topics, groups)",
      'defaults.partitions: must be a whole number, 1 or more, got 0',
      'defaults.retentionHours: must be a whole number of hours, 1 or more, or -1 to keep forever, got 0',
      "topics[1]: unknown field 'partitionz' (known: name, partitions, replicationFactor, retentionHours)",
      `topics[1].name: must be a topic name (letters, digits, '.', '_', '-'), got "bad topic"`,
      "groups.email.topics: 'a.nope' is not in topics",
      "groups.email.retrySchedule[1]: 'soon' is not a duration (use a number and ms, s, m or h, e.g. 10s)",
      "groups.email.retrySchedule[2]: '0.5m' is the delay of '30s' (one retry topic each)",
      'groups.extra: must be an object',
      "listed in topics: topic 'a.reward' is also listed in topics",
      "the audit topic: topic 'a.reward' is also listed in topics",
    ])
  })

  it('refuses a retry schedule whose delays name the same topic', () => {
    expect(problemsOf({ ...valid, groups: { email: { topics: ['a.reward'], retrySchedule: ['1m', '60s'] } } })).toEqual([
      "groups.email.retrySchedule[1]: '60s' is the delay of '1m' (one retry topic each)",
    ])
  })
})

describe('readGroupTopology', () => {
  it("gives a service its group's topics, under its topic prefix, and retry schedule from the repository's topology", () => {
    const problems: string[] = []
    expect(readGroupTopology(defaultTopologyFile, { group: 'email', topicPrefix: 'test-1' }, problems)).toEqual({
      topics: ['test-1.reward', 'test-1.challenge', 'test-1.achievement', 'test-1.referral', 'test-1.user'],
      retrySchedule: [30_000, 300_000, 1_800_000],
    })
    expect(problems).toEqual([])
  })

  it("holds a service's own schedule to the file's rules", () => {
    const read = (value: string): { group: unknown; problems: string[] } => {
      const problems: string[] = []
      const override = { name: 'EMAIL_RETRY_SCHEDULE', value }
      return { group: readGroupTopology(defaultTopologyFile, { group: 'email', override }, problems), problems }
    }
    expect(read(' 2s, 1m ').group).toMatchObject({ retrySchedule: [2_000, 60_000] })
    expect(read('1m,60s,0s,soon')).toEqual({
      group: undefined,
      problems: [
        "EMAIL_RETRY_SCHEDULE[1]: '60s' is the delay of '1m' (one retry topic each)",
        'EMAIL_RETRY_SCHEDULE[2]: must be longer than 0',
        "EMAIL_RETRY_SCHEDULE[3]: 'soon' is not a duration (use a number and ms, s, m or h, e.g. 10s)",
      ],
    })
  })

  it('names a group the file does not have, and a file it cannot read', () => {
    const problems: string[] = []
    expect(readGroupTopology(defaultTopologyFile, { group: 'nope' }, problems)).toBeUndefined()
    expect(readGroupTopology('/nonexistent/topology.json', { group: 'email' }, problems)).toBeUndefined()
    expect(problems).toEqual([
      `TOPOLOGY_FILE: ${defaultTopologyFile} has no group 'nope' (groups: notifications, email, analytics)`,
      expect.stringMatching(/^TOPOLOGY_FILE: cannot read \/nonexistent\/topology.json: ENOENT/),
    ])
  })
})
