import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * The version of the nearest package.json above `moduleUrl` that has one: a service's own,
 * read once at startup, so that logs and metrics say what package.json says.
 */
export function packageVersion(moduleUrl: string): string {
  for (let dir = dirname(fileURLToPath(moduleUrl)); ; dir = dirname(dir)) {
    let text: string | undefined
    try {
      text = readFileSync(join(dir, 'package.json'), 'utf8')
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
    }
    const version = text === undefined ? undefined : (JSON.parse(text) as { version?: unknown }).version
    if (typeof version === 'string') return version
    if (dirname(dir) === dir) throw new Error(`no package.json with a version above ${moduleUrl}`)
  }
}
