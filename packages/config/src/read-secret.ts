import { readFileSync } from 'node:fs'
import { Type, type TOptional, type TString } from '@sinclair/typebox'

/**
 * The one rule for every secret a service reads (HMAC keys, bearer tokens, the gen-1 static
 * token): after trimming, at least this many bytes of secret material. An empty secret would
 * turn authentication off (an empty HMAC key is public, an empty token matches a missing one),
 * and a short one can be guessed. 16 random bytes are 128 bits.
 */
export const minSecretBytes = 16

/** What is wrong with a secret (`is empty`, `is shorter than 16 bytes`), or undefined; never quotes it. */
export function secretProblem(material: string | Buffer, minBytes = minSecretBytes): string | undefined {
  const bytes = typeof material === 'string' ? Buffer.byteLength(material) : material.length
  if (bytes === 0) return 'is empty'
  if (bytes < minBytes) return `is shorter than ${minBytes} bytes`
  return undefined
}

/**
 * A secret's two variables for a service's schema: `NAME` (marked `writeOnly`, which
 * loadConfig never quotes, and unconstrained, so that no schema error can print it) and
 * `NAME_FILE`. readSecret checks the value.
 */
export function secretEnv<N extends string>(name: N, description: string): Record<N | `${N}_FILE`, TOptional<TString>> {
  return {
    [name]: Type.Optional(Type.String({ writeOnly: true, description })),
    [`${name}_FILE`]: Type.Optional(Type.String({ description: `file holding ${name} (instead of it; preferred in production)` })),
  } as Record<N | `${N}_FILE`, TOptional<TString>>
}

/**
 * Reads the secret `name` from the variable or from the file `${name}_FILE` (one of them,
 * trimmed). Undefined when neither is set, or when the secret is refused: then a problem that
 * names the variable, never the value, is added to `problems`. An empty variable counts as
 * unset; a file that is empty is refused.
 */
export function readSecret(
  env: Record<string, string | undefined>,
  name: string,
  problems: string[],
  minBytes = minSecretBytes,
): string | undefined {
  const fileName = `${name}_FILE`
  const [inline, file] = [env[name] || undefined, env[fileName] || undefined]
  if (inline !== undefined && file !== undefined) {
    problems.push(`${name} and ${fileName}: set one of them, not both`)
    return undefined
  }
  let value = inline?.trim()
  if (file !== undefined) {
    try {
      value = readFileSync(file, 'utf8').trim()
    } catch (err) {
      problems.push(`${fileName}: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`)
      return undefined
    }
  }
  if (value === undefined) return undefined
  const problem = secretProblem(value, minBytes)
  if (problem === undefined) return value
  problems.push(file === undefined ? `${name}: the secret ${problem}` : `${fileName}: the secret in ${file} ${problem}`)
  return undefined
}

/** readSecret for a secret the service cannot run without: neither variable set adds `missing` to `problems`. */
export function requireSecret(
  env: Record<string, string | undefined>,
  name: string,
  problems: string[],
  missing: string,
  minBytes = minSecretBytes,
): string | undefined {
  const before = problems.length
  const value = readSecret(env, name, problems, minBytes)
  if (value === undefined && problems.length === before) problems.push(missing)
  return value
}
