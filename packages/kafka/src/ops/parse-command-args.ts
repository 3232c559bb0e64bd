import { parseArgs, type ParseArgsOptionsConfig } from 'node:util'
import { UsageError } from './ops-errors.ts'

type Values = Record<string, string | boolean | undefined>

/** Parses a command's options (no positionals); 'help' when --help or -h was given. */
export function parseCommandArgs(argv: string[], options: ParseArgsOptionsConfig): Values | 'help' {
  let values: Values
  try {
    ;({ values } = parseArgs({
      args: argv,
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: false,
    }) as { values: Values })
  } catch (err) {
    throw new UsageError((err as Error).message)
  }
  return values.help === true ? 'help' : values
}

export function requiredString(values: Values, name: string): string {
  const value = values[name]
  if (typeof value !== 'string' || value === '') throw new UsageError(`--${name} is required`)
  return value
}

export function optionalString(values: Values, name: string): string | undefined {
  const value = values[name]
  return typeof value === 'string' ? value : undefined
}

/** A whole number option of at least `min`; `fallback` when not given. */
export function wholeNumber(values: Values, name: string, min: number, fallback?: number): number {
  const value = values[name]
  if (value === undefined && fallback !== undefined) return fallback
  if (typeof value !== 'string' || !/^\d+$/.test(value) || Number(value) < min) {
    throw new UsageError(`--${name} must be a whole number, ${min} or more, got '${String(value ?? '')}'`)
  }
  return Number(value)
}

/** A positive number option (fractions allowed); `fallback` when not given. */
export function positiveNumber(values: Values, name: string, fallback: number, max = Number.POSITIVE_INFINITY): number {
  const value = values[name]
  if (value === undefined) return fallback
  const n = Number(value)
  if (typeof value !== 'string' || value.trim() === '' || !Number.isFinite(n) || n <= 0 || n > max) {
    throw new UsageError(
      `--${name} must be a number above 0${max < Number.POSITIVE_INFINITY ? ` and at most ${max}` : ''}, got '${String(value)}'`,
    )
  }
  return n
}

/** An ISO 8601 time with a date and, when it has a time of day, a zone (`Z` or `+02:00`). */
export function isoTime(text: string, option: string): number {
  const iso = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2}))?$/
  const ms = Date.parse(text)
  if (!iso.test(text) || Number.isNaN(ms)) {
    throw new UsageError(`${option} must be an ISO 8601 time with a zone, e.g. 2026-03-01T09:30:00Z, got '${text}'`)
  }
  return ms
}
