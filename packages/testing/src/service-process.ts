import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { freePort } from './free-port.ts'
import type { Infra } from './infra.ts'
import { repoRoot } from './repo-root.ts'
import { serviceEnv, type ServiceEnvOptions, type ServiceName } from './service-env.ts'
import { waitFor } from './wait-for.ts'

export type ServiceProcess = {
  /** The ops listener, e.g. http://127.0.0.1:41234 (/metrics, /readyz). */
  opsUrl: string
  /** Every line the process wrote to stdout and stderr so far. */
  logLines: string[]
  child: () => ChildProcess
  /** SIGTERM, and the exit code once it has exited. */
  stop: () => Promise<number | null>
  /** SIGKILL: no shutdown of any kind. */
  kill: () => Promise<void>
  /** Starts it again with the same environment and waits until it is ready. */
  start: () => Promise<void>
}

export type ServiceProcessOptions = {
  service: ServiceName
  /** What the service reads, over this process's own environment. */
  env: Record<string, string>
  /** The ops port the service was told to use; ready once `/readyz` answers 200. */
  opsPort: number
  readyTimeoutMs?: number
}

/**
 * Runs a service as its own Node process (`services/<name>/src/main.ts`), as it runs in
 * production: for tests that cross services (which never import each other) and for tests
 * that kill a process outright.
 */
export async function startServiceProcess({
  service,
  env,
  opsPort,
  readyTimeoutMs = 60_000,
}: ServiceProcessOptions): Promise<ServiceProcess> {
  const opsUrl = `http://127.0.0.1:${opsPort}`
  const logLines: string[] = []
  let child: ChildProcess | undefined
  /** The exit code, once the process has exited and all its output is in `logLines`. */
  let closed: Promise<number | null> = Promise.resolve(null)

  async function start(): Promise<void> {
    const current = spawn(process.execPath, [join(repoRoot, `services/${service}/src/main.ts`)], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    child = current
    // 'close', not 'exit': only then have stdout and stderr been read to the end.
    closed = new Promise((resolve) => current.once('close', (code) => resolve(code)))
    for (const stream of [current.stdout, current.stderr]) {
      let rest = ''
      stream.setEncoding('utf8')
      stream.on('data', (chunk: string) => {
        const lines = (rest + chunk).split('\n')
        rest = lines.pop() ?? ''
        logLines.push(...lines)
      })
      stream.on('end', () => {
        if (rest !== '') logLines.push(rest)
        rest = ''
      })
    }
    const hasExited = (): boolean => current.exitCode !== null || current.signalCode !== null
    try {
      await waitFor(
        async () => {
          if (hasExited()) throw new Error(`${service} exited with ${current.exitCode ?? current.signalCode} before it was ready`)
          // A listener that accepts but never answers must not hang the wait.
          const response = await fetch(`${opsUrl}/readyz`, { signal: AbortSignal.timeout(2_000) }).catch(() => undefined)
          return response?.ok === true
        },
        { timeoutMs: readyTimeoutMs, intervalMs: 100, message: `${service} was not ready within ${readyTimeoutMs} ms` },
      )
    } catch (err) {
      // Not left running: it would keep its ports and connections for the rest of the run.
      if (!hasExited()) current.kill('SIGKILL')
      await closed
      throw new Error(`${(err as Error).message}; its last output:\n${logLines.slice(-20).join('\n')}`, { cause: err })
    }
  }

  await start()
  return {
    opsUrl,
    logLines,
    child: () => child!,
    async stop() {
      child?.kill('SIGTERM')
      return await closed
    },
    async kill() {
      child?.kill('SIGKILL')
      await closed
    },
    start,
  }
}

export type StartedService = ServiceProcess & {
  /** The public listener, e.g. http://127.0.0.1:41235. */
  url: string
}

/**
 * The launcher tests and benchmarks share: a service as its own process on free loopback
 * ports, with the environment `serviceEnv` builds from the running infra and `options`.
 */
export async function startService(
  service: ServiceName,
  infra: Infra,
  options: Omit<ServiceEnvOptions, 'port' | 'opsPort'> & { readyTimeoutMs?: number },
): Promise<StartedService> {
  const [port, opsPort] = [await freePort(), await freePort()]
  const env = serviceEnv(service, infra, { ...options, port, opsPort })
  const running = await startServiceProcess({ service, env, opsPort, readyTimeoutMs: options.readyTimeoutMs })
  return { ...running, url: `http://127.0.0.1:${port}` }
}

export type IngestProcess = StartedService & {
  /** Where to POST webhooks (the dev source). */
  url: string
  /** The dev source's gen-2 HMAC secret and gen-1 bearer token (random per process). */
  secret: string
  gen1Token: string
  /** The dev source as the simulator addresses it (`runSend({ receiver })`): both generations' credentials. */
  receiver: { url: string; secret: string; gen1Headers: Record<string, string> }
}

/**
 * The real ingest on free loopback ports, writing to `<topicPrefix>.<category>` topics, with
 * the dev source (gen-2 HMAC and gen-1 static headers) under fresh random credentials.
 */
export async function startIngestProcess(infra: Infra, topicPrefix: string, env: Record<string, string> = {}): Promise<IngestProcess> {
  const secret = `whsec_${randomBytes(24).toString('base64url')}`
  const gen1Token = randomBytes(24).toString('base64url')
  const ingest = await startService('ingest', infra, {
    topicPrefix,
    env: {
      INGEST_SOURCES_FILE: join(repoRoot, 'services/ingest/dev/sources.json'),
      NUDJ_DEV_GEN2_SECRET: secret,
      NUDJ_DEV_GEN1_AUTHORIZATION: `Bearer ${gen1Token}`,
      LOG_LEVEL: 'info',
      // The load shedder's 250 ms default answers 503 whenever a loaded test machine stalls
      // the event loop; tests that shed on purpose pass their own value.
      INGEST_MAX_EVENT_LOOP_DELAY: '30s',
      ...env,
    },
  })
  const url = `${ingest.url}/webhooks/nudj/dev`
  const gen1Headers = { Authorization: `Bearer ${gen1Token}`, 'X-Webhook-Source': 'nudj-platform' }
  return { ...ingest, url, secret, gen1Token, receiver: { url, secret, gen1Headers } }
}
