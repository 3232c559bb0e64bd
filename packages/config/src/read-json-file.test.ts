import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { readJsonFile } from './read-json-file.ts'

const dir = mkdtempSync(join(tmpdir(), 'read-json-file-'))
const write = (name: string, content: string): string => {
  writeFileSync(join(dir, name), content)
  return join(dir, name)
}

describe('readJsonFile', () => {
  it('parses a file, and says where a syntax error is without quoting the text', () => {
    expect(readJsonFile(write('ok.json', '{"a": [1]}'))).toEqual({ a: [1] })
    // A path pointed at a secret file by mistake: JSON.parse itself would print "whsec_Zq#...".
    expect(() => readJsonFile(write('secret', 'whsec_Zq#456789abcdef\n'))).toThrow(/^not valid JSON$/)
    expect(() => readJsonFile(write('comma.json', '{"a":1,}'))).toThrow('not valid JSON (position 7 (line 1 column 8))')
    expect(() => readJsonFile(join(dir, 'missing.json'))).toThrow(/ENOENT/)
  })
})
