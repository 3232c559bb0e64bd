import type { StackConfig } from '../config.ts'
import { hasDockerEngine } from './docker-stack.ts'
import { hasCommand } from './run-command.ts'

/** The tools the local stack needs (Go only once, to build Mailpit) that are not on PATH. */
export async function missingLocalTools(): Promise<string[]> {
  const tools: [string, string][] = [
    ['java', '-version'],
    ['mvn', '--version'],
    ['go', 'version'],
  ]
  const present = await Promise.all(tools.map(async ([name, flag]) => await hasCommand(name, flag)))
  return tools.filter((_, i) => !present[i]).map(([name]) => name)
}

/**
 * `auto` prefers local processes; without their tools it uses Docker when an engine
 * answers, and otherwise stays local so that the first missing tool is named in the error.
 */
export async function chooseStackMode(mode: StackConfig['mode']): Promise<'local' | 'docker'> {
  if (mode !== 'auto') return mode
  if ((await missingLocalTools()).length === 0) return 'local'
  return (await hasDockerEngine()) ? 'docker' : 'local'
}
