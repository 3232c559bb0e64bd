import { spawn } from 'node:child_process'
import { closeSync, openSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import { readPeakRssMb } from './read-peak-rss.ts'

export type VariantSpec = {
  name: string
  command: string
  args: string[]
  env: Record<string, string | undefined>
  /** Answers 200 once the variant can take traffic. */
  readyUrl: string
  /** Where its stdout and stderr go, so that a failed start can be explained. */
  logFile: string
}

export type RunningVariant = {
  pid: number
  /** Peak resident memory so far; read it before `stop`. */
  peakRssMb(): number | undefined
  /** SIGTERM, then SIGKILL if it has not exited after 10 s. */
  stop(): Promise<void>
}

const stopGraceMs = 10_000

/** Starts one variant as a direct child process and resolves once its readiness probe answers 200. */
export async function startVariant(spec: VariantSpec, { readyTimeoutMs = 60_000 } = {}): Promise<RunningVariant> {
  const log = openSync(spec.logFile, 'w')
  const child = spawn(spec.command, spec.args, { env: spec.env, stdio: ['ignore', log, log] })
  let exitCode: number | string | undefined
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exitCode = code ?? signal ?? 'unknown'
      resolve()
    })
    child.once('error', (error) => {
      exitCode = error.message
      resolve()
    })
  })
  const pid = child.pid

  async function stop(): Promise<void> {
    if (exitCode === undefined) {
      child.kill('SIGTERM')
      await Promise.race([exited, sleep(stopGraceMs)])
    }
    if (exitCode === undefined) {
      child.kill('SIGKILL')
      await Promise.race([exited, sleep(5_000)])
    }
    closeSync(log)
  }

  const deadline = performance.now() + readyTimeoutMs
  while (performance.now() < deadline) {
    if (exitCode !== undefined || pid === undefined) {
      await stop()
      throw new Error(`${spec.name} exited before it was ready (${String(exitCode)}); see ${spec.logFile}`)
    }
    if (await isReady(spec.readyUrl)) {
      return { pid, peakRssMb: () => readPeakRssMb(pid), stop }
    }
    await sleep(200)
  }
  await stop()
  throw new Error(`${spec.name} was not ready within ${readyTimeoutMs} ms (${spec.readyUrl}); see ${spec.logFile}`)
}

async function isReady(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(1_000) })
    await response.body?.cancel()
    return response.status === 200
  } catch {
    return false
  }
}
