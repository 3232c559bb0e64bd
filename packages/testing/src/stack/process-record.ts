import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

/** What `up` writes for each server it started, so `status` and `down` can find it. */
export type ProcessRecord = {
  name: string
  pid: number
  address: string
  logFile: string
  startedAt: string
}

export function createProcessRecords(runDir: string) {
  const file = (name: string): string => join(runDir, `${name}.json`)
  return {
    async read(name: string): Promise<ProcessRecord | undefined> {
      const text = await readFile(file(name), 'utf8').catch(() => undefined)
      return text === undefined ? undefined : (JSON.parse(text) as ProcessRecord)
    },
    async write(record: ProcessRecord): Promise<void> {
      await mkdir(runDir, { recursive: true })
      await writeFile(file(record.name), `${JSON.stringify(record, null, 2)}\n`)
    },
    async remove(name: string): Promise<void> {
      await rm(file(name), { force: true })
    },
  }
}

/**
 * Whether `pid` is alive and is still the process the stack started: its command line
 * must mention the stack folder, so a recycled pid is never mistaken for (or killed as) ours.
 */
export async function isOurProcess(pid: number, stackDir: string): Promise<boolean> {
  try {
    process.kill(pid, 0)
  } catch {
    return false
  }
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => undefined)
  // Without /proc (macOS) the liveness check is all there is.
  return cmdline === undefined || cmdline.includes(stackDir)
}
