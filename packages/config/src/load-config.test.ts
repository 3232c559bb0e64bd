import { Type } from '@sinclair/typebox'
import { describe, expect, it } from 'vitest'
import { collectConfig, ConfigError, describeConfig, loadConfig } from './load-config.ts'
import { durationPattern, parseDuration } from './parse-duration.ts'

const schema = Type.Object({
  PORT: Type.Integer({ minimum: 1, maximum: 65535, default: 8080, description: 'public port' }),
  KAFKA_BROKERS: Type.String({ minLength: 1, description: 'brokers' }),
  TIMEOUT: Type.String({ pattern: durationPattern, default: '5s', description: 'a duration' }),
  PLAIN_HTTP: Type.Boolean({ default: false, description: 'serve plain HTTP' }),
})

describe('loadConfig', () => {
  it('applies defaults and converts strings to the declared types', () => {
    expect(loadConfig(schema, { KAFKA_BROKERS: 'a:9092', PLAIN_HTTP: 'true', PORT: '9000', OTHER: 'x' })).toEqual({
      PORT: 9000,
      KAFKA_BROKERS: 'a:9092',
      TIMEOUT: '5s',
      PLAIN_HTTP: true,
    })
  })

  it('lists every problem at once, naming the variable and what it got', () => {
    try {
      loadConfig(schema, { PORT: '70000', TIMEOUT: 'soon' })
      expect.unreachable('loadConfig accepted a bad configuration')
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError)
      const { problems } = err as ConfigError
      expect(problems.some((p) => p.startsWith('PORT:') && p.includes('got "70000"'))).toBe(true)
      expect(problems.some((p) => p.startsWith('KAFKA_BROKERS:') && p.includes('not set'))).toBe(true)
      expect(problems.some((p) => p.startsWith('TIMEOUT:') && p.includes('got "soon"'))).toBe(true)
    }
  })
})

describe('parseDuration', () => {
  it('reads durations and names a bad one', () => {
    expect(parseDuration('250ms')).toBe(250)
    expect(parseDuration('1.5m')).toBe(90_000)
    expect(() => parseDuration('5 seconds')).toThrow("'5 seconds' is not a duration")
  })
})

describe('describeConfig', () => {
  it('gives each variable its default, or says whether it is required or optional', () => {
    const text = describeConfig(
      Type.Object({ ...schema.properties, TLS_CERT_FILE: Type.Optional(Type.String({ description: 'a PEM file' })) }),
    )
    expect(text).toContain('PORT = 8080\n    public port')
    expect(text).toContain('KAFKA_BROKERS = (required)\n    brokers')
    expect(text).toContain('TLS_CERT_FILE = (optional)\n    a PEM file')
  })
})

describe('collectConfig', () => {
  it("adds the variables' problems to the service's own, and answers undefined", () => {
    const problems = ['NUDJ_SOURCES_FILE: cannot read it']
    expect(collectConfig(schema, { PORT: 'eighty' }, problems)).toBeUndefined()
    expect(problems).toEqual([
      'NUDJ_SOURCES_FILE: cannot read it',
      'KAFKA_BROKERS: Expected required property (not set)',
      'PORT: Expected integer (got "eighty")',
    ])
  })

  it('answers the configuration when there is no problem, adding none', () => {
    const problems: string[] = []
    expect(collectConfig(schema, { KAFKA_BROKERS: 'a:9092' }, problems)).toMatchObject({ KAFKA_BROKERS: 'a:9092', PORT: 8080 })
    expect(problems).toEqual([])
  })
})
