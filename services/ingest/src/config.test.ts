import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ConfigError } from '@nudj-webhooks/config'
import { describe, expect, it } from 'vitest'
import { loadIngestConfig } from './config.ts'

const dir = mkdtempSync(join(tmpdir(), 'ingest-config-'))
const write = (name: string, content: string): string => {
  writeFileSync(join(dir, name), content)
  return join(dir, name)
}
const problemsOf = (env: Record<string, string>): string[] => {
  try {
    loadIngestConfig(env)
  } catch (err) {
    if (err instanceof ConfigError) return err.problems
    throw err
  }
  return []
}
const base = { KAFKA_BROKERS: 'a:9092, b:9092', SCHEMA_REGISTRY_URL: 'http://r', INGEST_ALLOW_PLAIN_HTTP: 'true' }

describe('loadIngestConfig', () => {
  it('reads secrets from the environment and from files, and the broker list', () => {
    const secretFile = write('secret', 'whsec_from_file_0123456789\n')
    const sources = write(
      'ok.json',
      JSON.stringify({
        defaultSource: 'acme',
        sources: {
          acme: {
            schemes: ['gen2-hmac'],
            gen2Secrets: [
              { id: 'new', file: secretFile },
              { id: 'old', env: 'OLD' },
            ],
          },
        },
      }),
    )
    const config = loadIngestConfig({ ...base, INGEST_SOURCES_FILE: sources, OLD: 'whsec_old_0123456789abcdef' })
    expect(config.brokers).toEqual(['a:9092', 'b:9092'])
    expect(config.defaultSource).toBe('acme')
    expect(config.sources.get('acme')?.gen2Secrets.map((s) => [s.id, s.key.export().toString()])).toEqual([
      ['new', 'whsec_from_file_0123456789'],
      ['old', 'whsec_old_0123456789abcdef'],
    ])
    expect(config.produceTimeoutMs).toBe(5000)
  })

  it('bounds replays by 5 minutes and trusts no proxy unless told, and refuses a proxy list it cannot read', () => {
    const sources = write(
      'replay.json',
      JSON.stringify({ sources: { acme: { schemes: ['gen2-hmac'], gen2Secrets: [{ id: 'k', env: 'K' }] } } }),
    )
    const env = { ...base, INGEST_SOURCES_FILE: sources, K: 'whsec_0123456789abcdef' }
    expect(loadIngestConfig(env)).toMatchObject({ replayToleranceMs: 300_000, trustedProxies: [], INGEST_REPLAY_WINDOW_ENTRIES: 100_000 })
    expect(loadIngestConfig({ ...env, INGEST_REPLAY_TOLERANCE: '72h' }).replayToleranceMs).toBe(259_200_000)
    expect(loadIngestConfig({ ...env, INGEST_REPLAY_TOLERANCE: 'off' }).replayToleranceMs).toBeUndefined()
    expect(loadIngestConfig({ ...env, INGEST_TRUSTED_PROXIES: ' 10.0.0.0/8, ::1 ,uniquelocal' }).trustedProxies).toEqual([
      '10.0.0.0/8',
      '::1',
      'uniquelocal',
    ])
    const problems = problemsOf({ ...env, INGEST_TRUSTED_PROXIES: '10.0.0.0/33,ingress-nginx,fd00::/64', INGEST_REPLAY_TOLERANCE: 'never' })
    expect(problems).toEqual([
      expect.stringContaining('INGEST_REPLAY_TOLERANCE'),
      "INGEST_TRUSTED_PROXIES: '10.0.0.0/33' is not an address, a CIDR (10.0.0.0/8) or one of loopback, linklocal, uniquelocal",
      "INGEST_TRUSTED_PROXIES: 'ingress-nginx' is not an address, a CIDR (10.0.0.0/8) or one of loopback, linklocal, uniquelocal",
    ])
  })

  it('lists every problem at once: variables, TLS, and the sources file', () => {
    const sources = write(
      'bad.json',
      JSON.stringify({
        defaultSource: 'nobody',
        sources: {
          acme: {
            schemes: ['gen2-hmac', 'gen1-static'],
            gen2Secrets: [{ id: 'a', env: 'UNSET' }],
            gen1Headers: { Authorization: { value: 'Bearer inline' } },
          },
        },
      }),
    )
    const problems = problemsOf({ KAFKA_BROKERS: 'a:9092', INGEST_PORT: 'eighty', INGEST_SOURCES_FILE: sources })
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^SCHEMA_REGISTRY_URL: .*not set/),
        expect.stringMatching(/^INGEST_PORT: .*"eighty"/),
        expect.stringMatching(/^INGEST_TLS_CERT_FILE and INGEST_TLS_KEY_FILE/),
        'source acme gen2Secrets a: environment variable UNSET is not set',
        'source acme gen1Headers Authorization: give a credential as {"env": ...} or {"file": ...}, never inline',
        'INGEST_SOURCES_FILE: defaultSource nobody is not one of the sources',
      ]) as unknown,
    )
  })

  it('says what is wrong with a sources file that is not valid', () => {
    expect(problemsOf({ ...base, INGEST_SOURCES_FILE: join(dir, 'missing.json') })[0]).toMatch(/cannot read .*missing\.json as JSON/)
    // Pointed at a secret file by mistake: the problem must not quote it.
    const mistaken = problemsOf({ ...base, INGEST_SOURCES_FILE: write('gen2-current', 'whsec_Zq#456789abcdef\n') })
    expect(mistaken).toEqual([expect.stringMatching(/cannot read .*gen2-current as JSON: not valid JSON/)])
    expect(mistaken.join('\n')).not.toContain('Zq#')
    const wrong = write('wrong.json', JSON.stringify({ sources: { Acme: { schemes: ['md5'] } } }))
    expect(problemsOf({ ...base, INGEST_SOURCES_FILE: wrong }).length).toBeGreaterThan(0)
  })

  it('refuses an empty or short secret, from a file or a variable, naming the source and secret but never the value', () => {
    const empty = write('empty', '\n')
    const short = write('short', 'Zq#\n')
    const sources = write(
      'short.json',
      JSON.stringify({
        sources: {
          acme: {
            schemes: ['gen2-hmac', 'gen1-static', 'standard-webhooks'],
            gen2Secrets: [
              { id: 'empty', file: empty },
              { id: 'short', file: short },
              { id: 'prefixed', env: 'PREFIXED' },
              { id: 'blank', env: 'BLANK' },
            ],
            gen1Headers: { Authorization: { env: 'GEN1' }, 'X-Webhook-Source': { value: 'nudj-platform' } },
            standardWebhooks: { secrets: [{ id: 'sw', env: 'STANDARD' }] },
          },
        },
      }),
    )
    const env = {
      ...base,
      INGEST_SOURCES_FILE: sources,
      PREFIXED: 'whsec_Zq#456789', // the prefix is no secret: 9 bytes of key
      BLANK: ' \n ',
      GEN1: 'Bearer Zq#45678', // the scheme word is no secret either
      STANDARD: `whsec_${Buffer.from('Zq#456789').toString('base64')}`,
    }
    const problems = problemsOf(env)
    expect(problems).toEqual([
      `source acme gen2Secrets empty: the secret in ${empty} is empty`,
      `source acme gen2Secrets short: the secret in ${short} is shorter than 16 bytes`,
      'source acme gen2Secrets prefixed: the secret in PREFIXED is shorter than 16 bytes',
      'source acme gen2Secrets blank: the secret in BLANK is empty',
      'source acme gen1Headers Authorization: the secret in GEN1 is shorter than 16 bytes',
      'source acme standardWebhooks sw: the secret in STANDARD is shorter than 16 bytes',
    ])
    expect(problems.join('\n')).not.toContain('Zq#')
    writeFileSync(short, 'Zq#456789abcdefg')
    const ok = {
      ...env,
      PREFIXED: 'whsec_Zq#456789abcdefg',
      BLANK: 'Zq#456789abcdefg',
      GEN1: 'Bearer Zq#456789abcdefg',
      STANDARD: `whsec_${Buffer.from('Zq#456789abcdefg').toString('base64')}`,
    }
    expect(problemsOf(ok)).toEqual([`source acme gen2Secrets empty: the secret in ${empty} is empty`])
  })

  it('refuses gen-1 without a secret header: X-Webhook-Source alone is public, and an empty literal matches a missing header', () => {
    const hmac = { schemes: ['gen2-hmac'], gen2Secrets: [{ id: 'k', env: 'KEY' }], gen1Headers: { Authorization: { env: 'GEN1' } } }
    const publicOnly = { schemes: ['gen1-static'], gen1Headers: { 'X-Webhook-Source': { value: 'nudj-platform' } } }
    const blank = { schemes: ['gen1-static'], gen1Headers: { Authorization: { env: 'GEN1' }, 'X-Webhook-Source': { value: '' } } }
    const env = { ...base, KEY: 'whsec_0123456789abcdef', GEN1: 'Bearer 0123456789abcdef' }
    const sourcesFile = (sources: object): string => write('gen1.json', JSON.stringify({ sources }))
    expect(problemsOf({ ...env, INGEST_SOURCES_FILE: sourcesFile({ hmac, 'public-only': publicOnly }) })).toEqual([
      'source public-only: gen1-static needs a secret header in gen1Headers (e.g. Authorization from {"env": ...} or {"file": ...})',
    ])
    expect(problemsOf({ ...env, INGEST_SOURCES_FILE: sourcesFile({ hmac, blank }) })).toEqual([
      expect.stringMatching(/^INGEST_SOURCES_FILE \/sources\/blank\/gen1Headers\/X-Webhook-Source: /),
    ])
    // Gen-1 headers configured but not listed in schemes: gen-1 stays off (verify-request.test.ts).
    const config = loadIngestConfig({ ...env, INGEST_SOURCES_FILE: sourcesFile({ hmac }) })
    expect(config.sources.get('hmac')?.schemes.has('gen1-static')).toBe(false)
  })

  it('reads the dev sources file, whose one source opts in to gen-1 for the simulator', () => {
    const dev = fileURLToPath(new URL('../dev/sources.json', import.meta.url))
    const config = loadIngestConfig({
      ...base,
      INGEST_SOURCES_FILE: dev,
      NUDJ_DEV_GEN2_SECRET: 'whsec_0123456789abcdef',
      NUDJ_DEV_GEN1_AUTHORIZATION: 'Bearer 0123456789abcdef',
    })
    expect([...(config.sources.get('dev')?.schemes ?? [])]).toEqual(['gen2-hmac', 'gen1-static'])
  })
})
