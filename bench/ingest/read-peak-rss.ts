import { readFileSync } from 'node:fs'

/** The process's peak resident memory (`VmHWM`) in MB, or undefined once it has gone. */
export function readPeakRssMb(pid: number): number | undefined {
  let status: string
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8')
  } catch {
    return undefined
  }
  const kb = /^VmHWM:\s+(\d+)\s+kB$/m.exec(status)?.[1]
  return kb === undefined ? undefined : Math.round((Number(kb) / 1024) * 10) / 10
}
