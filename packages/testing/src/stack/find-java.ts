import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { runCommand } from './run-command.ts'

/** The major version a `java` binary reports, or undefined when it does not run. */
async function javaMajor(javaBin: string): Promise<number | undefined> {
  try {
    const out = await runCommand(javaBin, ['-version'])
    const match = /version "(\d+)(?:\.(\d+))?/.exec(out)
    if (!match) return undefined
    const first = Number(match[1])
    return first === 1 ? Number(match[2]) : first
  } catch {
    return undefined
  }
}

/**
 * Finds a Java runtime of at least `minMajor`: `java` on PATH, then JAVA_HOME, then the
 * JDKs under /usr/lib/jvm (Debian keeps a second, newer JDK there on these machines).
 */
export async function findJava(minMajor: number, javaHome?: string): Promise<string> {
  const candidates = ['java']
  if (javaHome) candidates.push(join(javaHome, 'bin', 'java'))
  const jvmDir = '/usr/lib/jvm'
  const installed = await readdir(jvmDir).catch(() => [])
  for (const name of installed.sort().reverse()) candidates.push(join(jvmDir, name, 'bin', 'java'))

  const seen: string[] = []
  for (const candidate of candidates) {
    const major = await javaMajor(candidate)
    if (major === undefined) continue
    if (major >= minMajor) return candidate
    seen.push(`${candidate} (Java ${major})`)
  }
  const found = seen.length > 0 ? `found only ${seen.join(', ')}` : 'found no Java at all'
  throw new Error(
    `Java ${minMajor} or newer is needed; ${found}. Install a JDK ${minMajor}+ (for example Debian's openjdk-${minMajor}-jre-headless) or set JAVA_HOME to one.`,
  )
}
