import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ConfigError } from '@nudj-webhooks/config'
import { describe, expect, it } from 'vitest'
import { loadNotificationsConfig, loadTokenSecret } from './config.ts'

const key = 'k'.repeat(32)
const base = { KAFKA_BROKERS: 'a:9092', SCHEMA_REGISTRY_URL: 'http://registry', DATABASE_URL: 'postgres://db/n' }
const dir = mkdtempSync(join(tmpdir(), 'notifications-config-'))
const write = (name: string, content: string): string => {
  writeFileSync(join(dir, name), content)
  return join(dir, name)
}
const problemsOf = (env: Record<string, string>): string[] => {
  try {
    loadNotificationsConfig(env)
  } catch (err) {
    if (err instanceof ConfigError) return err.problems
    throw err
  }
  return []
}

describe('loadNotificationsConfig', () => {
  it('reads the token key and the chat webhook URL from variables or files', () => {
    expect(loadNotificationsConfig({ ...base, NOTIFICATIONS_TOKEN_SECRET: key }).tokenSecret).toEqual(Buffer.from(key))
    const config = loadNotificationsConfig({
      ...base,
      NOTIFICATIONS_TOKEN_SECRET_FILE: write('key', `${key}\n`),
      NOTIFICATIONS_CHAT_WEBHOOK_URL_FILE: write('chat', 'https://chat.example/hooks/T0/B0/x\n'),
    })
    expect(config.tokenSecret).toEqual(Buffer.from(key))
    expect(config.chatWebhookUrl).toBe('https://chat.example/hooks/T0/B0/x')
  })

  it('requires the token key, and refuses an empty or short one without quoting it', () => {
    expect(problemsOf(base)).toEqual([
      'NOTIFICATIONS_TOKEN_SECRET or NOTIFICATIONS_TOKEN_SECRET_FILE: required (the key that signs user tokens)',
    ])
    const empty = write('empty', '\n')
    expect(problemsOf({ ...base, NOTIFICATIONS_TOKEN_SECRET_FILE: empty })).toEqual([
      `NOTIFICATIONS_TOKEN_SECRET_FILE: the secret in ${empty} is empty`,
    ])
    const problems = problemsOf({ ...base, NOTIFICATIONS_TOKEN_SECRET: 'Zq#-twenty-characters', NOTIFICATIONS_PORT: 'x' })
    expect(problems).toContain('NOTIFICATIONS_TOKEN_SECRET: the secret is shorter than 32 bytes')
    expect(problems.join('\n')).not.toMatch(/Zq#|twenty/)
    expect(() => loadTokenSecret({ NOTIFICATIONS_TOKEN_SECRET: 'Zq#' })).toThrow(
      'NOTIFICATIONS_TOKEN_SECRET: the secret is shorter than 32 bytes',
    )
  })

  it('refuses an empty chat webhook URL file rather than silently dropping alerts', () => {
    const empty = write('chat-empty', '')
    expect(problemsOf({ ...base, NOTIFICATIONS_TOKEN_SECRET: key, NOTIFICATIONS_CHAT_WEBHOOK_URL_FILE: empty })).toEqual([
      `NOTIFICATIONS_CHAT_WEBHOOK_URL_FILE: the secret in ${empty} is empty`,
    ])
  })
  it('reads retired token keys as a comma-separated list, each held to the signing key’s length, never quoted', () => {
    const old = ['o'.repeat(32), 'p'.repeat(40)]
    const config = loadNotificationsConfig({
      ...base,
      NOTIFICATIONS_TOKEN_SECRET: key,
      NOTIFICATIONS_TOKEN_PREVIOUS_SECRETS: old.join(', '),
    })
    expect(config.previousTokenSecrets).toEqual(old.map((k) => Buffer.from(k)))
    const problems = problemsOf({ ...base, NOTIFICATIONS_TOKEN_SECRET: key, NOTIFICATIONS_TOKEN_PREVIOUS_SECRETS: `${old[0]},Zq#short` })
    expect(problems).toEqual(['NOTIFICATIONS_TOKEN_PREVIOUS_SECRETS: key 2 is shorter than 32 bytes'])
  })

  it('passes the shared consumer timeouts through, and the stream caps with their defaults', () => {
    const config = loadNotificationsConfig({ ...base, NOTIFICATIONS_TOKEN_SECRET: key, POSTGRES_STATEMENT_TIMEOUT: '2s' })
    expect(config).toMatchObject({
      statementTimeoutMs: 2_000,
      handlerTimeoutMs: 30_000,
      NOTIFICATIONS_MAX_STREAMS: 2_500,
      NOTIFICATIONS_MAX_STREAMS_PER_USER: 5,
      NOTIFICATIONS_MAX_STREAMS_PER_ADDRESS: 100,
      trustedProxies: [],
    })
  })
})
