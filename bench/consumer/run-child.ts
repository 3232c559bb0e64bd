import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { createWriteStream } from 'node:fs'
import { createInterface } from 'node:readline'
import { setTimeout as sleep } from 'node:timers/promises'
import { readPeakRssMb } from '../ingest/read-peak-rss.ts'

export type ChildSpec = {
  name: string
  command: string
  args: string[]
  env?: Record<string, string | undefined>
  /** Where its stdout and stderr go, so that a failure can be explained. */
  logFile: string
  /** From start to exit at most; then it is stopped and reported as timed out. */
  timeoutMs: number
  /** Each line of its stdout, as it comes. */
  onLine?: (line: string) => void
}

export type ChildOutcome = {
  /** Exit code, or the signal or error that ended it. */
  exit: number | string
  timedOut: boolean
  /** Highest VmHWM read while it ran (every 250 ms), or null if none could be read. */
  polledRssMb: number | null
}

const rssEveryMs = 250
const stopGraceMs = 10_000

/** Runs one process to its end, bounded in time, reading its peak memory while it runs. */
export async function runChild(spec: ChildSpec): Promise<ChildOutcome> {
  const log = createWriteStream(spec.logFile)
  const child = spawn(spec.command, spec.args, { env: spec.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] })
  child.stderr.pipe(log, { end: false })
  const lines = createInterface({ input: child.stdout, crlfDelay: Infinity })
  const linesClosed = once(lines, 'close')
  lines.on('line', (line) => {
    log.write(`${line}\n`)
    spec.onLine?.(line)
  })

  let polledRssMb: number | null = null
  const pid = child.pid
  const poll = setInterval(() => {
    const rss = pid === undefined ? undefined : readPeakRssMb(pid)
    if (rss !== undefined) polledRssMb = Math.max(polledRssMb ?? 0, rss)
  }, rssEveryMs)

  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'))
    child.once('error', (error) => resolve(error.message))
  })
  let timedOut = false
  const timer = setTimeout(() => {
    timedOut = true
    void stop() // its end is awaited below, through `exited`
  }, spec.timeoutMs)

  async function stop(): Promise<void> {
    child.kill('SIGTERM')
    const gone = await Promise.race([exited.then(() => true), sleep(stopGraceMs, false)])
    if (!gone) child.kill('SIGKILL')
  }

  try {
    const exit = await exited
    // The last lines may still be on their way through the pipe.
    await linesClosed
    return { exit, timedOut, polledRssMb }
  } finally {
    clearTimeout(timer)
    clearInterval(poll)
    await new Promise<void>((resolve) => log.end(resolve))
  }
}
