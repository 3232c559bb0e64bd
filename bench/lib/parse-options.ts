import { parseArgs } from 'node:util'

export type NumberOption = { flag: string; default: number; min: number; max: number; help: string }

/**
 * Parses whole-number options (and `--help`, plus any boolean flags) with bounds, so that every
 * run stays bounded; throws with every problem at once.
 */
export function parseNumberOptions<K extends string>(
  argv: string[],
  spec: Record<K, NumberOption>,
  flags: Record<string, string> = {},
): { values: Record<K, number>; flags: Record<string, boolean>; help: boolean } {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = { help: { type: 'boolean', short: 'h' } }
  for (const key of Object.keys(spec) as K[]) options[spec[key].flag] = { type: 'string' }
  for (const flag of Object.keys(flags)) options[flag] = { type: 'boolean' }
  const { values: raw } = parseArgs({ args: argv, options, strict: true, allowPositionals: false })
  const problems: string[] = []
  const values = {} as Record<K, number>
  for (const key of Object.keys(spec) as K[]) {
    const { flag, min, max } = spec[key]
    const text = raw[flag]
    const value = text === undefined ? spec[key].default : Number(text)
    if (!Number.isInteger(value) || value < min || value > max) problems.push(`--${flag} must be a whole number from ${min} to ${max}`)
    values[key] = value
  }
  if (problems.length > 0) throw new Error(problems.join('\n'))
  const set = Object.fromEntries(Object.keys(flags).map((f) => [f, raw[f] === true]))
  return { values, flags: set, help: raw.help === true }
}

/** The usage text of those options. */
export function describeOptions(spec: Record<string, NumberOption>, flags: Record<string, string> = {}): string {
  const lines = Object.values(spec).map((o) => `  --${`${o.flag} N`.padEnd(26)}${o.help} (default ${o.default}, ${o.min}..${o.max})`)
  for (const [flag, help] of Object.entries(flags)) lines.push(`  --${flag.padEnd(26)}${help}`)
  lines.push(`  --${'help'.padEnd(26)}this text`)
  return lines.join('\n')
}
