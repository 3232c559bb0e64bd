import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Type } from '@sinclair/typebox'
import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from './load-config.ts'
import { minSecretBytes, readSecret, secretEnv, secretProblem } from './read-secret.ts'

const dir = mkdtempSync(join(tmpdir(), 'read-secret-'))
const write = (name: string, content: string): string => {
  writeFileSync(join(dir, name), content)
  return join(dir, name)
}
const read = (env: Record<string, string>, minBytes?: number): { value?: string; problems: string[] } => {
  const problems: string[] = []
  return { value: readSecret(env, 'API_TOKEN', problems, minBytes), problems }
}

describe('readSecret', () => {
  it('reads the variable or its file, trimmed, and nothing when neither is set', () => {
    expect(read({ API_TOKEN: ' 0123456789abcdef ' })).toEqual({ value: '0123456789abcdef', problems: [] })
    expect(read({ API_TOKEN_FILE: write('ok', '0123456789abcdef\n') })).toEqual({ value: '0123456789abcdef', problems: [] })
    expect(read({})).toEqual({ value: undefined, problems: [] })
    expect(read({ API_TOKEN: '' })).toEqual({ value: undefined, problems: [] })
  })

  it('refuses an empty file, a blank variable and a short secret, naming the variable and never the value', () => {
    const empty = write('empty', '')
    const blank = write('blank', ' \n\t\n')
    const short = write('short', 'Zq#\n')
    expect(read({ API_TOKEN_FILE: empty })).toEqual({ value: undefined, problems: [`API_TOKEN_FILE: the secret in ${empty} is empty`] })
    expect(read({ API_TOKEN_FILE: blank }).problems).toEqual([`API_TOKEN_FILE: the secret in ${blank} is empty`])
    expect(read({ API_TOKEN_FILE: short }).problems).toEqual([`API_TOKEN_FILE: the secret in ${short} is shorter than 16 bytes`])
    expect(read({ API_TOKEN: '   ' }).problems).toEqual(['API_TOKEN: the secret is empty'])
    // 15 characters: one short of the rule, and not a prefix of it in the message either.
    const { problems } = read({ API_TOKEN: 'Zq#456789abcdef' })
    expect(problems).toEqual(['API_TOKEN: the secret is shorter than 16 bytes'])
    expect(problems.join('\n')).not.toContain('Zq#')
  })

  it('counts bytes, takes a service-specific minimum, and refuses both forms or an unreadable file', () => {
    expect(secretProblem('é'.repeat(8))).toBeUndefined()
    expect(secretProblem(Buffer.alloc(minSecretBytes - 1))).toBe('is shorter than 16 bytes')
    expect(read({ API_TOKEN: 'x'.repeat(20) }, 32).problems).toEqual(['API_TOKEN: the secret is shorter than 32 bytes'])
    expect(read({ API_TOKEN: 'https://x' }, 1)).toEqual({ value: 'https://x', problems: [] })
    expect(read({ API_TOKEN: '0123456789abcdef', API_TOKEN_FILE: write('both', '0123456789abcdef') }).problems).toEqual([
      'API_TOKEN and API_TOKEN_FILE: set one of them, not both',
    ])
    expect(read({ API_TOKEN_FILE: join(dir, 'missing') }).problems).toEqual([`API_TOKEN_FILE: cannot read ${join(dir, 'missing')}: ENOENT`])
  })
})

describe('secretEnv with loadConfig', () => {
  it('declares both variables, and a schema error never quotes the secret', () => {
    const schema = Type.Object({
      ...secretEnv('API_TOKEN', 'a bearer token'),
      URL: Type.String({ pattern: '^https://', writeOnly: true, description: 'carries a password' }),
    })
    expect(Object.keys(schema.properties)).toEqual(['API_TOKEN', 'API_TOKEN_FILE', 'URL'])
    try {
      loadConfig(schema, { API_TOKEN: 'Zq#', URL: 'http://user:Zq#pass@host' })
      expect.unreachable('loadConfig accepted a bad URL')
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError)
      expect((err as ConfigError).problems).toEqual([expect.stringMatching(/^URL: .*\(value not shown\)$/)])
      expect((err as ConfigError).message).not.toContain('Zq#')
    }
  })
})
