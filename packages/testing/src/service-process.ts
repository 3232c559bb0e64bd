import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { freePort } from './free-port.ts'
import { infraToEnv, type Infra } from './infra.ts'
import { repoRoot } from './repo-root.ts'
import { waitFor } from './wait-for.ts'

export type ServiceName = 'ingest' | 'analytics' | 'email' | 'notifications'

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

  async function exited(): Promise<number | null> {
    const current = child
    if (!current || current.exitCode !== null || current.signalCode !== null) return current?.exitCode ?? null
    return await new Promise((resolve) => current.once('exit', (code) => resolve(code)))
  }

  async function start(): Promise<void> {
    const current = spawn(process.execPath, [join(repoRoot, `services/${service}/src/main.ts`)], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    child = current
    for (const stream of [current.stdout, current.stderr]) {
      let rest = ''
      stream.setEncoding('utf8')
      stream.on('data', (chunk: string) => {
        const lines = (rest + chunk).split('\n')
        rest = lines.pop() ?? ''
        logLines.push(...lines)
      })
    }
    await waitFor(
      async () => {
        if (current.exitCode !== null) throw new Error(`${service} exited with ${current.exitCode}:\n${logLines.slice(-20).join('\n')}`)
        return (await fetch(`${opsUrl}/readyz`).catch(() => undefined))?.ok === true
      },
      { timeoutMs: readyTimeoutMs, intervalMs: 100, message: `${service} was not ready within ${readyTimeoutMs} ms` },
    )
  }

  await start()
  return {
    opsUrl,
    logLines,
    child: () => child!,
    async stop() {
      child?.kill('SIGTERM')
      return await exited()
    },
    async kill() {
      child?.kill('SIGKILL')
      await exited()
    },
    start,
  }
}

export type IngestProcess = ServiceProcess & {
  /** Where to POST webhooks (the dev source). */
  url: string
  /** The dev source's gen-2 HMAC secret and gen-1 bearer token (random per process). */
  secret: string
  gen1Token: string
}

/**
 * The real ingest on free loopback ports, writing to `<topicPrefix>.<category>` topics, with
 * the dev source (gen-2 HMAC and gen-1 static headers) under fresh random credentials.
 */
export async function startIngestProcess(infra: Infra, topicPrefix: string, env: Record<string, string> = {}): Promise<IngestProcess> {
  const [port, opsPort] = [await freePort(), await freePort()]
  const secret = `whsec_${randomBytes(24).toString('base64url')}`
  const gen1Token = randomBytes(24).toString('base64url')
  const service = await startServiceProcess({
    service: 'ingest',
    opsPort,
    env: {
      ...infraToEnv(infra),
      KAFKA_TOPIC_PREFIX: topicPrefix,
      INGEST_HOST: '127.0.0.1',
      INGEST_PORT: String(port),
      INGEST_OPS_PORT: String(opsPort),
      INGEST_ALLOW_PLAIN_HTTP: 'true',
      INGEST_SOURCES_FILE: join(repoRoot, 'services/ingest/dev/sources.json'),
      NUDJ_DEV_GEN2_SECRET: secret,
      NUDJ_DEV_GEN1_AUTHORIZATION: `Bearer ${gen1Token}`,
      LOG_LEVEL: 'info',
      ...env,
    },
  })
  return { ...service, url: `http://127.0.0.1:${port}/webhooks/nudj/dev`, secret, gen1Token }
}
