import { execFile } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { availableParallelism, totalmem } from 'node:os'
import { promisify } from 'node:util'

export type Machine = {
  cpu: string
  cores: number
  memory_gb: number
  node: string
  go: string
}

/** What the figures depend on, written beside them. */
export async function describeMachine(): Promise<Machine> {
  const cpuinfo = await readFile('/proc/cpuinfo', 'utf8').catch(() => '')
  const cpu = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? 'unknown'
  const go = await promisify(execFile)('go', ['version'], { timeout: 10_000 }).then(
    ({ stdout }) => stdout.trim().replace(/^go version /, ''),
    () => 'not found',
  )
  return {
    cpu,
    cores: availableParallelism(),
    memory_gb: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    go,
  }
}
