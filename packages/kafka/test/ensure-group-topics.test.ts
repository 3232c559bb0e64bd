import { uniqueName } from '@nudj-webhooks/testing'
import { Kafka, logLevel } from 'kafkajs'
import { describe, expect, inject, it } from 'vitest'
import { ensureGroupTopics } from '../src/index.ts'

const infra = inject('infra')
const kafka = new Kafka({ brokers: infra.kafkaBrokers, logLevel: logLevel.NOTHING })
const topicResource = 2

describe('ensureGroupTopics', () => {
  it("creates a group's topics, retry tiers and DLQ with the retention ops would give them, and is idempotent", async () => {
    const [topic, group] = [uniqueName('egt_topic'), uniqueName('egt_group')]
    const options = { group, topics: [topic], retrySchedule: [10_000, 60_000], partitions: 2, replicationFactor: 1, retentionHours: 24 }
    const created = await ensureGroupTopics(kafka, options)
    expect(created.created).toEqual([topic, `${group}.retry.10s`, `${group}.retry.1m`, `${group}.dlq`])
    expect(await ensureGroupTopics(kafka, options)).toEqual({ created: [], grown: [] })

    const admin = kafka.admin()
    await admin.connect()
    try {
      const { resources } = await admin.describeConfigs({
        resources: created.created.map((name) => ({ type: topicResource, name, configNames: ['retention.ms'] })),
        includeSynonyms: false,
      })
      const retention = Object.fromEntries(resources.map((r) => [r.resourceName, r.configEntries[0]?.configValue]))
      expect(retention).toEqual({
        [topic]: String(24 * 3_600_000),
        [`${group}.retry.10s`]: String(24 * 3_600_000),
        [`${group}.retry.1m`]: String(24 * 3_600_000),
        [`${group}.dlq`]: String(4 * 24 * 3_600_000),
      })
    } finally {
      await admin.disconnect()
    }
  })
})
