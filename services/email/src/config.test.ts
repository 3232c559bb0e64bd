import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ConfigError } from '@nudj-webhooks/config'
import { describe, expect, it } from 'vitest'
import { loadEmailConfig } from './config.ts'

const required = {
  KAFKA_BROKERS: 'a:9092,b:9092',
  SCHEMA_REGISTRY_URL: 'http://registry',
  DATABASE_URL: 'postgres://db/email',
  SMTP_URL: 'smtp://mail:25',
}

const problemsOf = (env: Record<string, string>): string[] => {
  try {
    loadEmailConfig(env)
  } catch (err) {
    if (err instanceof ConfigError) return err.problems
    throw err
  }
  return []
}

describe('loadEmailConfig', () => {
  it('applies the defaults, including the built-in routes file', () => {
    const config = loadEmailConfig(required)
    expect(config.brokers).toEqual(['a:9092', 'b:9092'])
    // deploy/topology.json, group email
    expect(config.retrySchedule).toEqual([30_000, 300_000, 1_800_000])
    expect(config.topics).toEqual(['reward', 'challenge', 'achievement', 'referral', 'user'].map((c) => `nudj.webhooks.${c}`))
    expect(config.EMAIL_PORT).toBe(8093)
    expect(config.EMAIL_OPS_PORT).toBe(9193)
    expect(config.CONSUMER_GROUP).toBe('email')
    expect(config.routes.get('reward.delivery_failed')?.to).toEqual({ address: 'support@nudj.example' })
    expect(config.adminToken).toBeUndefined()
    expect(config.recipientWaitMs).toBe(900_000)
  })

  it('lists every problem at once, the routes file included', () => {
    const dir = mkdtempSync(join(tmpdir(), 'email-config-'))
    const routes = join(dir, 'routes.json')
    writeFileSync(routes, JSON.stringify({ 'reward.earned': { template: 'nope', enabled: true, to: 'user' } }))
    expect(
      problemsOf({
        SMTP_URL: 'smtp://x',
        EMAIL_RETRY_SCHEDULE: '10s,soon',
        EMAIL_ROUTES_FILE: routes,
        EMAIL_LIST_UNSUBSCRIBE_URL: 'http://x',
      }),
    ).toEqual([
      expect.stringContaining('KAFKA_BROKERS'),
      expect.stringContaining('SCHEMA_REGISTRY_URL'),
      expect.stringContaining('DATABASE_URL'),
      "EMAIL_RETRY_SCHEDULE[1]: 'soon' is not a duration (use a number and ms, s, m or h, e.g. 10s)",
      expect.stringContaining('EMAIL_ROUTES_FILE reward.earned: template must be one of'),
      'EMAIL_LIST_UNSUBSCRIBE_URL: must be an https:// URL (or empty)',
    ])
  })

  it('reads the admin token from a file, and refuses an empty or short one without quoting it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'email-config-'))
    const file = join(dir, 'token')
    writeFileSync(file, 'a-long-enough-admin-token\n')
    expect(loadEmailConfig({ ...required, EMAIL_ADMIN_TOKEN_FILE: file }).adminToken).toBe('a-long-enough-admin-token')
    writeFileSync(file, ' \n')
    expect(problemsOf({ ...required, EMAIL_ADMIN_TOKEN_FILE: file })).toEqual([`EMAIL_ADMIN_TOKEN_FILE: the secret in ${file} is empty`])
    writeFileSync(file, 'Zq#\n')
    expect(problemsOf({ ...required, EMAIL_ADMIN_TOKEN_FILE: file })).toEqual([
      `EMAIL_ADMIN_TOKEN_FILE: the secret in ${file} is shorter than 16 bytes`,
    ])
    // The variable too, and a schema error never quotes it either.
    const problems = problemsOf({ ...required, EMAIL_ADMIN_TOKEN: 'Zq#-tiny-token', EMAIL_PORT: 'x' })
    expect(problems).toContain('EMAIL_ADMIN_TOKEN: the secret is shorter than 16 bytes')
    expect(problems.join('\n')).not.toMatch(/Zq#|tiny/)
    expect(problemsOf({ ...required, EMAIL_ADMIN_TOKEN: 'a-long-enough-admin-token', EMAIL_ADMIN_TOKEN_FILE: file })).toEqual([
      'EMAIL_ADMIN_TOKEN and EMAIL_ADMIN_TOKEN_FILE: set one of them, not both',
    ])
  })

  it('bounds handlers, Postgres statements and API requests, and refuses the old handler timeout name', () => {
    const config = loadEmailConfig({ ...required, CONSUMER_HANDLER_TIMEOUT: '20s', POSTGRES_STATEMENT_TIMEOUT: '5s' })
    expect([config.handlerTimeoutMs, config.statementTimeoutMs, config.requestTimeoutMs]).toEqual([20_000, 5_000, 10_000])
    expect(loadEmailConfig(required).statementTimeoutMs).toBe(15_000)
    expect(problemsOf({ ...required, EMAIL_HANDLER_TIMEOUT: '20s' })).toEqual([
      'EMAIL_HANDLER_TIMEOUT: renamed CONSUMER_HANDLER_TIMEOUT; set that instead',
    ])
    expect(problemsOf({ ...required, EMAIL_SESSION_TIMEOUT: '6s' })).toEqual([
      'EMAIL_SESSION_TIMEOUT: renamed CONSUMER_SESSION_TIMEOUT; set that instead',
    ])
    expect(loadEmailConfig({ ...required, CONSUMER_SESSION_TIMEOUT: '8s' }).sessionTimeoutMs).toBe(8_000)
  })

  it('turns the mailto of List-Unsubscribe off with none', () => {
    expect(loadEmailConfig({ ...required, EMAIL_LIST_UNSUBSCRIBE_MAILTO: 'none' }).EMAIL_LIST_UNSUBSCRIBE_MAILTO).toBe('')
  })

  it('reads its group from TOPOLOGY_FILE, and refuses a topology without the topics its routes and contacts need', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'email-topology-')), 'topology.json')
    const topology = (topics: string[]) => ({
      defaults: { partitions: 3, replicationFactor: 1, retentionHours: 24 },
      auditTopic: 'x.audit',
      topics,
      groups: { email: { topics, retrySchedule: ['60s'] } },
    })
    const all = ['reward', 'challenge', 'achievement', 'referral', 'user'].map((c) => `x.${c}`)
    writeFileSync(file, JSON.stringify(topology(all)))
    const config = loadEmailConfig({ ...required, TOPOLOGY_FILE: file, KAFKA_TOPIC_PREFIX: 'test-1' })
    // `60s` is the `email.retry.1m` topic, as the ops CLI and the Kubernetes renderer name it.
    expect(config.retrySchedule).toEqual([60_000])
    expect(config.topics).toEqual(['test-1.reward', 'test-1.challenge', 'test-1.achievement', 'test-1.referral', 'test-1.user'])
    writeFileSync(file, JSON.stringify(topology(all.filter((t) => t !== 'x.user'))))
    expect(problemsOf({ ...required, TOPOLOGY_FILE: file })).toEqual([
      'TOPOLOGY_FILE: group email must also read the topic of user (routes and contacts need it)',
    ])
  })
})
