import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ConfigError } from '@nudj-webhooks/config'
import { describe, expect, it } from 'vitest'
import { loadAnalyticsConfig } from './config.ts'

const base = { KAFKA_BROKERS: 'a:9092, b:9092', SCHEMA_REGISTRY_URL: 'http://registry', DATABASE_URL: 'postgres://x/y' }

describe('loadAnalyticsConfig', () => {
  it('applies the conventions: ports, group, the retry schedule of deploy/topology.json', () => {
    const config = loadAnalyticsConfig(base)
    expect(config).toMatchObject({
      brokers: ['a:9092', 'b:9092'],
      ANALYTICS_PORT: 8091,
      ANALYTICS_OPS_PORT: 9191,
      ANALYTICS_OPS_HOST: '127.0.0.1',
      CONSUMER_GROUP: 'analytics',
      KAFKA_TOPIC_PREFIX: 'nudj.webhooks',
      retrySchedule: [10_000, 60_000, 600_000],
      databaseUrl: 'postgres://x/y',
    })
  })

  it('reads the database URL from a file', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'analytics-config-')), 'url')
    writeFileSync(file, 'postgres://secret@db/analytics\n')
    expect(loadAnalyticsConfig({ ...base, DATABASE_URL: undefined, DATABASE_URL_FILE: file }).databaseUrl).toBe(
      'postgres://secret@db/analytics',
    )
  })

  it('lists every problem at once', () => {
    let error: unknown
    try {
      loadAnalyticsConfig({ ANALYTICS_RETRY_SCHEDULE: 'soon', ANALYTICS_PORT: 'eighty' })
    } catch (err) {
      error = err
    }
    expect(error).toBeInstanceOf(ConfigError)
    const text = (error as ConfigError).problems.join('\n')
    for (const name of ['KAFKA_BROKERS', 'SCHEMA_REGISTRY_URL', 'ANALYTICS_RETRY_SCHEDULE', 'ANALYTICS_PORT', 'DATABASE_URL'])
      expect(text).toContain(name)
  })
})
