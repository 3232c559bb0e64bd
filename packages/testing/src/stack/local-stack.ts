import { spawn } from 'node:child_process'
import { mkdir, open, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { StackConfig } from '../config.ts'
import { waitFor } from '../wait-for.ts'
import { createKafkaServer } from './kafka-server.ts'
import { isPortInUse } from './port-in-use.ts'
import { createPostgresServer } from './postgres-server.ts'
import { createProcessRecords, isOurProcess } from './process-record.ts'
import { createRegistryServer } from './registry-server.ts'
import type { Server, ServerName } from './server.ts'
import { createSmtpServer } from './smtp-server.ts'

export type ServerStatus = {
  name: ServerName
  address: string
  state: 'healthy' | 'unhealthy' | 'stopped'
  pid?: number
  logFile: string
}

export type UpResult = { name: ServerName; outcome: 'started' | 'already running'; seconds: number }

export type Report = (line: string) => void

const startTimeoutMs = 180_000
const stopTimeoutMs = 30_000

/** The local stack: each server a detached process with a log file and a process record. */
export function createLocalStack(config: StackConfig, report: Report = () => undefined) {
  const all: Server[] = [createKafkaServer(config), createRegistryServer(config), createPostgresServer(config), createSmtpServer(config)]
  const records = createProcessRecords(join(config.dir, 'run'))
  const logDir = join(config.dir, 'logs')
  const logFile = (name: string): string => join(logDir, `${name}.log`)
  const pick = (names?: ServerName[]): Server[] => (names ? all.filter((s) => names.includes(s.name)) : all)

  async function runningPid(server: Server): Promise<number | undefined> {
    const record = await records.read(server.name)
    if (record && (await isOurProcess(record.pid, config.dir))) return record.pid
    if (record) await records.remove(server.name)
    return undefined
  }

  async function startOne(server: Server): Promise<UpResult> {
    const began = performance.now()
    const seconds = (): number => Math.round((performance.now() - began) / 100) / 10
    const existing = await runningPid(server)
    if (existing !== undefined) {
      await waitForHealthy(server, existing)
      return { name: server.name, outcome: 'already running', seconds: seconds() }
    }
    for (const port of server.ports) {
      if (await isPortInUse(port)) {
        throw new Error(
          `${server.name}: port ${port} on 127.0.0.1 is taken by a process this stack did not start; stop it or choose other ports (see the STACK_*_PORT variables in the README)`,
        )
      }
    }
    report(`${server.name}: preparing`)
    await server.prepare()
    const launch = await server.launch()
    await mkdir(logDir, { recursive: true })
    const log = await open(logFile(server.name), 'a')
    try {
      const child = spawn(launch.command, launch.args, { cwd: launch.cwd, detached: true, stdio: ['ignore', log.fd, log.fd] })
      const pid = await new Promise<number>((resolve, reject) => {
        child.once('spawn', () => resolve(child.pid ?? -1))
        child.once('error', (err) => reject(new Error(`${server.name}: could not start ${launch.command}: ${err.message}`)))
      })
      // The server outlives this command; `down` stops it through its record.
      child.unref()
      await records.write({
        name: server.name,
        pid,
        address: server.address,
        logFile: logFile(server.name),
        startedAt: new Date().toISOString(),
      })
      report(`${server.name}: started (pid ${pid}), waiting until it answers`)
      await waitForHealthy(server, pid)
    } finally {
      await log.close()
    }
    return { name: server.name, outcome: 'started', seconds: seconds() }
  }

  async function waitForHealthy(server: Server, pid: number): Promise<void> {
    await waitFor(
      async () => {
        if (!(await isOurProcess(pid, config.dir))) {
          await records.remove(server.name)
          throw new Error(`${server.name} exited while starting; the end of ${logFile(server.name)}:\n${await tail(logFile(server.name))}`)
        }
        return await server.isHealthy()
      },
      {
        timeoutMs: startTimeoutMs,
        intervalMs: 250,
        message: `${server.name} did not answer at ${server.address} within ${startTimeoutMs / 1000} s; see ${logFile(server.name)}`,
      },
    )
  }

  async function stopOne(server: Server): Promise<boolean> {
    const pid = await runningPid(server)
    if (pid === undefined) return false
    const gone = async (): Promise<boolean> => !(await isOurProcess(pid, config.dir))
    signal(pid, 'SIGTERM')
    try {
      await waitFor(gone, { timeoutMs: stopTimeoutMs, intervalMs: 200 })
    } catch {
      report(`${server.name}: still running ${stopTimeoutMs / 1000} s after SIGTERM, sending SIGKILL`)
      // The process group: a supervisor's children go with it.
      signal(-pid, 'SIGKILL')
    }
    await records.remove(server.name)
    return true
  }

  return {
    /** Starts the named servers (all by default) in parallel; running ones are left alone. */
    async up(names?: ServerName[]): Promise<UpResult[]> {
      const results = await Promise.allSettled(pick(names).map(startOne))
      const failures = results.filter((r) => r.status === 'rejected').map((r) => (r.reason as Error).message)
      if (failures.length > 0) throw new Error(failures.join('\n'))
      return results.map((r) => (r as PromiseFulfilledResult<UpResult>).value)
    },
    async status(names?: ServerName[]): Promise<ServerStatus[]> {
      return await Promise.all(
        pick(names).map(async (server): Promise<ServerStatus> => {
          const pid = await runningPid(server)
          const base = { name: server.name, address: server.address, logFile: logFile(server.name) }
          if (pid === undefined) return { ...base, state: 'stopped' }
          return { ...base, pid, state: (await server.isHealthy()) ? 'healthy' : 'unhealthy' }
        }),
      )
    },
    /** Stops what `up` started (never anything else); answers the names it stopped. */
    async down(names?: ServerName[]): Promise<ServerName[]> {
      const servers = pick(names)
      const stopped = await Promise.all(servers.map(stopOne))
      return servers.filter((_, i) => stopped[i]).map((s) => s.name)
    },
  }
}

async function tail(file: string, lines = 20): Promise<string> {
  const text = await readFile(file, 'utf8').catch(() => '')
  return text.trimEnd().split('\n').slice(-lines).join('\n')
}

/** Sends a signal, ignoring a process that has already gone. */
function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err
  }
}
