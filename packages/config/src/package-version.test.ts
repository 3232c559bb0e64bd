import { readFileSync } from 'node:fs'
import { pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'
import { packageVersion } from './package-version.ts'

describe('packageVersion', () => {
  it("answers the version of the service's own package.json, from any file below it", () => {
    const url = new URL('../../../services/ingest/src/main.ts', import.meta.url)
    const { version } = JSON.parse(readFileSync(new URL('../../../services/ingest/package.json', import.meta.url), 'utf8')) as {
      version: string
    }
    expect(packageVersion(url.href)).toBe(version)
  })

  it('names the module when no package.json above it has a version', () => {
    expect(() => packageVersion(pathToFileURL('/nowhere/at/all.ts').href)).toThrow(
      'no package.json with a version above file:///nowhere/at/all.ts',
    )
  })
})
