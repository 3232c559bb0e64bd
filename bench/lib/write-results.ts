import { mkdir, writeFile } from 'node:fs/promises'
import { loadavg } from 'node:os'
import { dirname, join, relative } from 'node:path'
import { describeMachine, type Machine } from '../ingest/describe-machine.ts'
import { repoRoot } from './repo-root.ts'

export type RunHeader = {
  machine: Machine & { load_average_1m_at_start: number; shared: string }
  date: string
  command: string
}

const sharedNote = 'shared with other workers during the run (their builds and tests competed for the same cores)'

/** What every results file starts with: the machine (with its load as the run began), the date and the command. */
export async function describeRun(command: string): Promise<RunHeader> {
  const machine = await describeMachine()
  const load = Math.round((loadavg()[0] ?? 0) * 100) / 100
  return { machine: { ...machine, load_average_1m_at_start: load, shared: sharedNote }, date: new Date().toISOString(), command }
}

/** The command as a person would type it again. */
export function commandLine(script: string, argv: readonly string[]): string {
  return [`pnpm bench:${script}`, ...argv.map((a) => (/^[\w.,:=/@-]+$/.test(a) ? a : `'${a.replaceAll("'", "'\\''")}'`))].join(' ')
}

/**
 * Writes bench/results/<name>.json and answers its path relative to the repository; formatted
 * as the repository's Prettier would (the root's devDependency), so `pnpm lint` accepts it.
 */
export async function writeResults(name: string, results: unknown): Promise<string> {
  const file = join(repoRoot, 'bench', 'results', `${name}.json`)
  await mkdir(dirname(file), { recursive: true })
  const text = `${JSON.stringify(results, null, 2)}\n`
  const prettier = await import('prettier').catch(() => undefined)
  const options = prettier ? await prettier.resolveConfig(file) : null
  await writeFile(file, prettier ? await prettier.format(text, { ...options, filepath: file }) : text)
  return relative(repoRoot, file)
}

/**
 * Writes the results of a suite that passes or fails (`passed` and `problems` last), says where
 * and every problem, and answers its exit code: 0 when there is none, 1 otherwise.
 */
export async function reportResults(
  name: string,
  results: Record<string, unknown>,
  problems: string[],
  say: (line: string) => void,
): Promise<number> {
  const file = await writeResults(name, { ...results, passed: problems.length === 0, problems })
  say(`wrote ${file}`)
  for (const problem of problems) say(`FAILED: ${problem}`)
  return problems.length === 0 ? 0 : 1
}
