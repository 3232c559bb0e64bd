/** One value that must never appear in a log line, with a label that says what it is (never the value). */
export type Secret = { label: string; value: string }

export type SecretScan = {
  /** Log lines scanned. */
  lines: number
  /** Values searched for. */
  values: number
  /** Occurrences found (a line holding two values counts twice). */
  found: number
  /** What was found where, by label and line number, at most 20 (never the value itself). */
  examples: { label: string; stream: string; line: number }[]
}

// Values at least this long are found through an index of their first characters; shorter
// ones are searched for one by one (there are few: the secrets, never the signatures).
const keyLength = 12

/**
 * A scanner for many values at once (every secret, token and signature a suite sent), fast
 * enough for a hundred thousand signatures over a hundred thousand lines: each line is read
 * once, looking up every `keyLength`-character window in an index of the values' prefixes.
 */
export function createSecretScanner(secrets: Secret[]) {
  const byPrefix = new Map<string, Secret[]>()
  const short: Secret[] = []
  const seen = new Set<string>()
  for (const secret of secrets) {
    if (secret.value.length < 6)
      throw new Error(`secret scan: '${secret.label}' is too short to search for (${secret.value.length} characters)`)
    if (seen.has(secret.value)) continue
    seen.add(secret.value)
    if (secret.value.length < keyLength) short.push(secret)
    else {
      const key = secret.value.slice(0, keyLength)
      const list = byPrefix.get(key)
      if (list) list.push(secret)
      else byPrefix.set(key, [secret])
    }
  }
  const result: SecretScan = { lines: 0, values: seen.size, found: 0, examples: [] }

  function hit(secret: Secret, stream: string, line: number): void {
    result.found += 1
    if (result.examples.length < 20) result.examples.push({ label: secret.label, stream, line })
  }

  return {
    /** Scans the lines of one stream (a process's output, a broker's log). */
    scan(stream: string, lines: Iterable<string>): void {
      let number = 0
      for (const line of lines) {
        number += 1
        result.lines += 1
        for (const secret of short) if (line.includes(secret.value)) hit(secret, stream, number)
        if (byPrefix.size === 0) continue
        for (let at = 0; at + keyLength <= line.length; at += 1) {
          const candidates = byPrefix.get(line.slice(at, at + keyLength))
          if (!candidates) continue
          for (const secret of candidates) if (line.startsWith(secret.value, at)) hit(secret, stream, number)
        }
      }
    },
    result: (): SecretScan => ({ ...result, examples: [...result.examples] }),
  }
}
