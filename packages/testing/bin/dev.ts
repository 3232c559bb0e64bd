// The whole pipeline on this machine: the stack, then the four services in the foreground.
//   pnpm dev [--send N]     N: simulated Nudj events to send once every service is ready
// Ctrl-C stops the services; the stack keeps running (pnpm stack down stops it).
import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { parseArgs } from 'node:util'
import pg from 'pg'
import { loadStackConfig } from '../src/config.ts'
import { infraToEnv, localStackInfra } from '../src/infra.ts'
import { repoRoot } from '../src/repo-root.ts'
import { serviceEnv, type ServiceName } from '../src/service-env.ts'
import { createLocalStack } from '../src/stack/local-stack.ts'
import { waitFor } from '../src/wait-for.ts'

const { values } = parseArgs({ options: { send: { type: 'string' }, help: { type: 'boolean', short: 'h' } } })
if (values.help) {
  console.log(
    'usage: pnpm dev [--send N]\n\nStarts the local stack and the four services; --send N sends N simulated Nudj events once they are ready.',
  )
  process.exit(0)
}

const config = loadStackConfig(repoRoot)

// Development credentials: random, made once per stack folder, kept in files that git
// ignores (nudj-sim reads the webhook ones with --secret-file and --gen1-token-file).
const secretsDir = join(config.dir, 'dev')
async function devSecret(name: string, make: () => string): Promise<{ file: string; value: string }> {
  const file = join(secretsDir, name)
  const existing = await readFile(file, 'utf8').catch(() => undefined)
  if (existing) return { file, value: existing.trim() }
  const value = make()
  await mkdir(secretsDir, { recursive: true, mode: 0o700 })
  await writeFile(file, `${value}\n`, { mode: 0o600 })
  return { file, value }
}
const random = (): string => randomBytes(24).toString('base64url')
const secrets = {
  gen2: await devSecret('gen2-secret', () => `whsec_${random()}`),
  gen1: await devSecret('gen1-token', random),
  notificationsTokens: await devSecret('notifications-token-secret', random),
  emailAdmin: await devSecret('email-admin-token', random),
  analyticsApi: await devSecret('analytics-api-token', random),
  console: await devSecret('console-token', random),
}

const stack = createLocalStack(config, (line) => console.log(`stack: ${line}`))
for (const r of await stack.up()) console.log(`stack: ${r.name} ${r.outcome} (${r.seconds} s)`)
const infra = localStackInfra(config)

// Each stateful service keeps its tables in a database of its own.
async function databaseFor(service: string): Promise<string> {
  const name = `nudj_${service}`
  const admin = new pg.Client({ connectionString: infra.databaseUrl })
  await admin.connect()
  try {
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])
    if (rowCount === 0) await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(name)}`)
  } finally {
    await admin.end()
  }
  const url = new URL(infra.databaseUrl)
  url.pathname = `/${name}`
  return url.toString()
}

type Service = { name: ServiceName; port: number; opsPort: number; databaseUrl?: string; env: Record<string, string> }
const services: Service[] = [
  {
    name: 'ingest',
    port: 8080,
    opsPort: 9090,
    env: {
      INGEST_SOURCES_FILE: join(repoRoot, 'services/ingest/dev/sources.json'),
      NUDJ_DEV_GEN2_SECRET: secrets.gen2.value,
      NUDJ_DEV_GEN1_AUTHORIZATION: `Bearer ${secrets.gen1.value}`,
    },
  },
  {
    name: 'analytics',
    port: 8091,
    opsPort: 9191,
    databaseUrl: await databaseFor('analytics'),
    env: { ANALYTICS_API_TOKENS_FILE: secrets.analyticsApi.file },
  },
  {
    name: 'notifications',
    port: 8092,
    opsPort: 9192,
    databaseUrl: await databaseFor('notifications'),
    env: { NOTIFICATIONS_TOKEN_SECRET_FILE: secrets.notificationsTokens.file },
  },
  {
    name: 'email',
    port: 8093,
    opsPort: 9193,
    databaseUrl: await databaseFor('email'),
    env: { EMAIL_ADMIN_TOKEN_FILE: secrets.emailAdmin.file },
  },
]

const children: ChildProcess[] = []
const stop = (): void => {
  for (const child of children) child.kill('SIGTERM')
}
process.on('SIGINT', stop)
process.on('SIGTERM', stop)

for (const service of services) {
  // The services' own topics and groups (no prefix given), and their default log level.
  const { port, opsPort, databaseUrl } = service
  const env = serviceEnv(service.name, infra, { port, opsPort, databaseUrl, env: { LOG_LEVEL: 'info', ...service.env } })
  const child = spawn(process.execPath, [join(repoRoot, `services/${service.name}/src/main.ts`)], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  children.push(child)
  // One stream for all services, each line labelled with the service it came from.
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => console.log(`${service.name.padEnd(13)} ${line}`))
  }
  child.on('exit', (code) => {
    console.error(`dev: ${service.name} exited with ${code}`)
    process.exitCode = code ?? 1
    stop()
  })
}

await Promise.all(
  services.map(async (service, index) => {
    await waitFor(
      async () => {
        if (children[index]!.exitCode !== null) throw new Error(`dev: ${service.name} exited before it was ready`)
        return (await fetch(`http://127.0.0.1:${service.opsPort}/readyz`).catch(() => undefined))?.ok
      },
      { timeoutMs: 90_000, intervalMs: 250, message: `dev: ${service.name} did not become ready within 90 s` },
    )
  }),
)

// The operators' console, once the services have made their topics (its live tail follows
// the topics that exist when it starts), reading their databases and metrics.
const consoleUrl = 'http://127.0.0.1:9300'
const consoleChild = spawn(process.execPath, [join(repoRoot, 'services/console/src/main.ts')], {
  env: {
    ...process.env,
    ...infraToEnv(infra),
    LOG_LEVEL: 'info',
    CONSOLE_TOKEN_FILE: secrets.console.file,
    CONSOLE_ANALYTICS_DATABASE_URL: services[1]!.databaseUrl,
    CONSOLE_NOTIFICATIONS_DATABASE_URL: services[2]!.databaseUrl,
    CONSOLE_EMAIL_DATABASE_URL: services[3]!.databaseUrl,
    CONSOLE_METRICS_URLS: services
      .slice(1)
      .map((s) => `http://127.0.0.1:${s.opsPort}/metrics`)
      .join(','),
  },
  stdio: ['ignore', 'pipe', 'pipe'],
})
children.push(consoleChild)
for (const stream of [consoleChild.stdout, consoleChild.stderr]) {
  createInterface({ input: stream }).on('line', (line) => console.log(`${'console'.padEnd(13)} ${line}`))
}
consoleChild.on('exit', (code) => console.error(`dev: console exited with ${code}`))
await waitFor(async () => (await fetch(`${consoleUrl}/readyz`).catch(() => undefined))?.ok, {
  timeoutMs: 60_000,
  intervalMs: 250,
  message: 'dev: console did not become ready within 60 s',
})

const url = 'http://127.0.0.1:8080/webhooks/nudj/dev'
console.log(`
dev: the pipeline is running. Ctrl-C stops the services (pnpm stack down stops the stack).
  ingest         ${url}   (ops :9090: /metrics /readyz /openapi.json)
  analytics      curl -H "Authorization: Bearer $(cat ${secrets.analyticsApi.file})" http://127.0.0.1:8091/v1/summary   (ops :9191)
  notifications  http://127.0.0.1:8092/   token: pnpm notifications token <user id>   (ops :9192)
  email          suppressions http://127.0.0.1:8093/v1/suppressions, bearer token in ${secrets.emailAdmin.file}   (ops :9193)
  console        ${consoleUrl}/   token in ${secrets.console.file}
  mail inbox     http://127.0.0.1:${config.smtp.httpPort}/
  traffic        pnpm nudj-sim send --url ${url} --secret-file ${secrets.gen2.file} --gen1-token-file ${secrets.gen1.file} --count 1000
`)
if (values.send) {
  const sender = spawn(
    process.execPath,
    [join(repoRoot, 'packages/nudj-sim/bin/nudj-sim.ts'), 'send', '--url', url, '--count', values.send],
    {
      env: { ...process.env, NUDJ_SIM_SECRET: secrets.gen2.value, NUDJ_SIM_GEN1_TOKEN: secrets.gen1.value },
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  )
  children.push(sender)
}
