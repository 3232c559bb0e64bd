import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadConsoleConfig } from './config.ts'

const base = { KAFKA_BROKERS: '127.0.0.1:9092', SCHEMA_REGISTRY_URL: 'http://127.0.0.1:8081' }
const token = 'a-console-token-of-32-characters'

describe('loadConsoleConfig', () => {
  it('binds to loopback on 9300 by default and reads the token from a file', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'console-config-')), 'token')
    writeFileSync(file, `${token}\n`)
    const config = loadConsoleConfig({ ...base, CONSOLE_TOKEN_FILE: file })
    expect([config.CONSOLE_HOST, config.CONSOLE_PORT, config.token, config.metricsUrls]).toEqual(['127.0.0.1', 9300, token, []])
    expect(config.topologyFile).toMatch(/\/deploy\/topology\.json$/)
    expect([config.searchWindowMs, config.scanTimeoutMs, config.CONSOLE_REDRIVE_MAX_RATE]).toEqual([3_600_000, 20_000, 50])
  })

  it('lists every problem at once, and never quotes the token', () => {
    expect(() => loadConsoleConfig({ KAFKA_BROKERS: '127.0.0.1:9092' })).toThrow(
      /SCHEMA_REGISTRY_URL[\s\S]*CONSOLE_TOKEN or CONSOLE_TOKEN_FILE: required/,
    )
    let message = ''
    try {
      loadConsoleConfig({ ...base, CONSOLE_TOKEN: 'short-secret', CONSOLE_METRICS_URLS: 'http://email:9193/metrics,ftp://x' })
    } catch (err) {
      message = (err as Error).message
    }
    expect(message).toContain('CONSOLE_TOKEN: the secret is shorter than 16 bytes')
    expect(message).toContain("CONSOLE_METRICS_URLS: 'ftp://x' is not an http(s) URL")
    expect(message).not.toContain('short-secret')
  })
})
