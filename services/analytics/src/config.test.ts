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

  it('reads the handler timeout and the consumer pool statement_timeout, with their defaults', () => {
    expect(loadAnalyticsConfig(base)).toMatchObject({ handlerTimeoutMs: 30_000, statementTimeoutMs: 15_000 })
    expect(loadAnalyticsConfig({ ...base, CONSUMER_HANDLER_TIMEOUT: '5s', POSTGRES_STATEMENT_TIMEOUT: '2s' })).toMatchObject({
      handlerTimeoutMs: 5_000,
      statementTimeoutMs: 2_000,
    })
    expect(() => loadAnalyticsConfig({ ...base, POSTGRES_STATEMENT_TIMEOUT: 'soon' })).toThrow(/POSTGRES_STATEMENT_TIMEOUT/)
    expect(() => loadAnalyticsConfig({ ...base, ANALYTICS_HANDLER_TIMEOUT: '30s' })).toThrow(
      'ANALYTICS_HANDLER_TIMEOUT: renamed CONSUMER_HANDLER_TIMEOUT',
    )
  })

  it('reads the database URL from a file', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'analytics-config-')), 'url')
    writeFileSync(file, 'postgres://secret@db/analytics\n')
    expect(loadAnalyticsConfig({ ...base, DATABASE_URL: undefined, DATABASE_URL_FILE: file }).databaseUrl).toBe(
      'postgres://secret@db/analytics',
    )
    writeFileSync(file, '\n')
    expect(() => loadAnalyticsConfig({ ...base, DATABASE_URL: undefined, DATABASE_URL_FILE: file })).toThrow(
      `DATABASE_URL_FILE: the secret in ${file} is empty`,
    )
  })

  it('reads the query API tokens from the variable or a file, and the query timeout', () => {
    const [a, b] = ['a'.repeat(16), 'b'.repeat(32)]
    expect(loadAnalyticsConfig(base)).toMatchObject({ apiTokens: [], queryTimeoutMs: 10_000 })
    expect(loadAnalyticsConfig({ ...base, ANALYTICS_API_TOKENS: `${a}, ${b}`, ANALYTICS_QUERY_TIMEOUT: '2s' })).toMatchObject({
      apiTokens: [a, b],
      queryTimeoutMs: 2_000,
    })
    const file = join(mkdtempSync(join(tmpdir(), 'analytics-config-')), 'tokens')
    writeFileSync(file, `${a}\n${b}\n`)
    expect(loadAnalyticsConfig({ ...base, ANALYTICS_API_TOKENS_FILE: file }).apiTokens).toEqual([a, b])
  })

  it('refuses a short token, and an empty tokens file, without quoting any token', () => {
    const problemsOf = (env: Record<string, string>): string => {
      try {
        loadAnalyticsConfig({ ...base, ...env })
      } catch (err) {
        return (err as ConfigError).problems.join('\n')
      }
      return ''
    }
    const text = problemsOf({ ANALYTICS_API_TOKENS: `${'a'.repeat(16)},short-secret-15` })
    expect(text).toContain('ANALYTICS_API_TOKENS: token 2 of 2 is shorter than 16 bytes')
    expect(text).not.toContain('short-secret')
    const file = join(mkdtempSync(join(tmpdir(), 'analytics-config-')), 'tokens')
    writeFileSync(file, '\n')
    expect(problemsOf({ ANALYTICS_API_TOKENS_FILE: file })).toContain('ANALYTICS_API_TOKENS_FILE: the secret in')
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
