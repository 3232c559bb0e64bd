// Every schema in schemas/ must stay BACKWARD compatible with its previous version in git:
// the working copy against HEAD when it was changed, otherwise HEAD against the commit
// before it last changed.
import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { backwardCompatibilityProblems } from './backward-compatibility.ts'

const root = fileURLToPath(new URL('../../..', import.meta.url))
const git = (...args: string[]): string => execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
const files = readdirSync(new URL('../../../schemas/', import.meta.url)).filter((f) => f.endsWith('.avsc'))

function previousVersion(path: string, current: string): string | undefined {
  const show = (rev: string): string | undefined => {
    try {
      return git('show', `${rev}:${path}`)
    } catch {
      return undefined
    }
  }
  const head = show('HEAD')
  if (head !== undefined && head !== current) return head
  const [last, before] = git('log', '--format=%H', '-n', '2', '--', path).trim().split('\n')
  return last && before ? show(before) : undefined
}

describe('schemas stay BACKWARD compatible with their previous version in git', () => {
  it.each(files)('%s', (file) => {
    const path = `schemas/${file}`
    const current = readFileSync(new URL(`../../../${path}`, import.meta.url), 'utf8')
    const previous = previousVersion(path, current) ?? current
    expect(backwardCompatibilityProblems(current, previous)).toEqual([])
  })
})

describe('backwardCompatibilityProblems', () => {
  const v1 = JSON.stringify({ type: 'record', name: 'R', fields: [{ name: 'a', type: 'string' }] })

  it('accepts a new field that has a default', () => {
    const v2 = JSON.stringify({
      type: 'record',
      name: 'R',
      fields: [
        { name: 'a', type: 'string' },
        { name: 'b', type: 'int', default: 0 },
      ],
    })
    expect(backwardCompatibilityProblems(v2, v1)).toEqual([])
  })

  it('rejects a new field without a default, and a changed type', () => {
    const noDefault = JSON.stringify({
      type: 'record',
      name: 'R',
      fields: [
        { name: 'a', type: 'string' },
        { name: 'b', type: 'int' },
      ],
    })
    const retyped = JSON.stringify({ type: 'record', name: 'R', fields: [{ name: 'a', type: 'int' }] })
    expect(backwardCompatibilityProblems(noDefault, v1)).toHaveLength(1)
    expect(backwardCompatibilityProblems(retyped, v1)).toHaveLength(1)
  })
})
