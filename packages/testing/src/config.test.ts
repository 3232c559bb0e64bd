import { describe, expect, it } from 'vitest'
import { loadExternalInfra, loadStackConfig } from './config.ts'

describe('loadStackConfig', () => {
  it('defaults to the usual ports and a .stack folder under the root', () => {
    const config = loadStackConfig('/repo', {})
    expect(config.dir).toBe('/repo/.stack')
    expect(config.kafka.port).toBe(9092)
    expect(config.registry.port).toBe(8081)
    expect(config.postgres.port).toBe(5432)
    expect(config.smtp).toMatchObject({ smtpPort: 1025, httpPort: 8025 })
    expect(config.mode).toBe('auto')
  })

  it('lists every problem at once', () => {
    const load = (): unknown => loadStackConfig('/repo', { STACK_KAFKA_PORT: 'abc', STACK_POSTGRES_PORT: '70000', STACK_MODE: 'cloud' })
    expect(load).toThrow('STACK_KAFKA_PORT must be a TCP port (1-65535), got "abc"')
    expect(load).toThrow('STACK_POSTGRES_PORT must be a TCP port (1-65535), got "70000"')
    expect(load).toThrow('STACK_MODE must be auto, local or docker, got "cloud"')
  })
})

describe('loadExternalInfra', () => {
  it('reads only the variables that are set and not empty', () => {
    expect(loadExternalInfra({ KAFKA_BROKERS: 'a:1, b:2', DATABASE_URL: '' })).toEqual({
      kafkaBrokers: ['a:1', 'b:2'],
      schemaRegistryUrl: undefined,
      databaseUrl: undefined,
      smtpUrl: undefined,
      mailApiUrl: undefined,
    })
  })
})
