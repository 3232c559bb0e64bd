import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
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
    const secretFile = write('secret', 'whsec_from_file\n')
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
    const config = loadIngestConfig({ ...base, INGEST_SOURCES_FILE: sources, OLD: 'whsec_old' })
    expect(config.brokers).toEqual(['a:9092', 'b:9092'])
    expect(config.defaultSource).toBe('acme')
    expect(config.sources.get('acme')?.gen2Secrets.map((s) => [s.id, s.key.export().toString()])).toEqual([
      ['new', 'whsec_from_file'],
      ['old', 'whsec_old'],
    ])
    expect(config.produceTimeoutMs).toBe(5000)
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
    const wrong = write('wrong.json', JSON.stringify({ sources: { Acme: { schemes: ['md5'] } } }))
    expect(problemsOf({ ...base, INGEST_SOURCES_FILE: wrong }).length).toBeGreaterThan(0)
  })
})
