import { OptionalKind, type Static, type TObject } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'

/** Configuration that cannot start a service; the message lists every problem. */
export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID'
  readonly retryable = false
  readonly problems: string[]

  constructor(problems: string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`)
    this.name = 'ConfigError'
    this.problems = problems
  }
}

/**
 * Reads a service's configuration from environment variables named after the schema's
 * properties: defaults applied, strings converted to the declared types, and every
 * problem reported at once before anything connects anywhere.
 */
export function loadConfig<T extends TObject>(schema: T, env: Record<string, string | undefined>): Static<T> {
  const raw: Record<string, unknown> = {}
  for (const key of Object.keys(schema.properties)) {
    const value = env[key]
    if (value !== undefined && value !== '') raw[key] = value
  }
  const value = Value.Convert(schema, Value.Default(schema, structuredClone(raw)))
  // One problem per variable: the first error TypeBox finds for it says the most.
  const problems = new Map<string, string>()
  for (const error of Value.Errors(schema, value)) {
    const name = error.path.replace(/^\//, '') || '(root)'
    // A secret's value is never quoted, not even a short or malformed one: error messages end up in logs.
    const given = raw[name] === undefined ? 'not set' : isSecret(schema, name) ? 'value not shown' : `got ${JSON.stringify(raw[name])}`
    if (!problems.has(name)) problems.set(name, `${name}: ${error.message} (${given})`)
  }
  if (problems.size > 0) throw new ConfigError([...problems.values()])
  return value as Static<T>
}

/**
 * As loadConfig, for a service that checks more than its variables (secret files, a routes
 * file, the topology): the problems join `problems`, so that the service lists them all at
 * once, and the answer is undefined when there were any.
 */
export function collectConfig<T extends TObject>(
  schema: T,
  env: Record<string, string | undefined>,
  problems: string[],
): Static<T> | undefined {
  try {
    return loadConfig(schema, env)
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err
    problems.push(...err.problems)
    return undefined
  }
}

/** A table of the schema's variables (name, default, description) for --help and READMEs. */
export function describeConfig(schema: TObject): string {
  return Object.entries(schema.properties)
    .map(([name, property]) => {
      const fallback =
        property.default !== undefined ? JSON.stringify(property.default) : isOptional(property) ? '(optional)' : '(required)'
      return `${name} = ${fallback}\n    ${String(property.description ?? '')}`
    })
    .join('\n')
}

/** Whether the schema marks a property `writeOnly`, as secretEnv does: its value is never quoted. */
function isSecret(schema: TObject, name: string): boolean {
  return (schema.properties[name] as { writeOnly?: boolean } | undefined)?.writeOnly === true
}

/** Whether the schema marks a property `Type.Optional`. */
function isOptional(property: object): boolean {
  return OptionalKind in property
}
