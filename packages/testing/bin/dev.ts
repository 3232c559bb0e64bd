// The whole pipeline on this machine: the stack, then the services in the foreground.
//   pnpm dev [--send N]     N: simulated Nudj events to send once ingest is ready
// Ctrl-C stops the services; the stack keeps running (pnpm stack down stops it).
import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { loadStackConfig } from '../src/config.ts'
import { infraToEnv, localStackInfra } from '../src/infra.ts'
import { repoRoot } from '../src/repo-root.ts'
import { createLocalStack } from '../src/stack/local-stack.ts'
import { waitFor } from '../src/wait-for.ts'

const ports = { ingest: 8080, ingestOps: 9090 }

const { values } = parseArgs({ options: { send: { type: 'string' }, help: { type: 'boolean', short: 'h' } } })
if (values.help) {
  console.log(
    'usage: pnpm dev [--send N]\n\nStarts the local stack and the services; --send N sends N simulated Nudj events once ingest is ready.',
  )
  process.exit(0)
}

const config = loadStackConfig(repoRoot)

// The dev source's credentials: random, made once per stack folder, kept in files that
// git ignores (nudj-sim reads them with --secret-file and --gen1-token-file).
const secretsDir = join(config.dir, 'dev')
const secretFiles = { gen2: join(secretsDir, 'gen2-secret'), gen1: join(secretsDir, 'gen1-token') }
async function devSecret(file: string, make: () => string): Promise<string> {
  const existing = await readFile(file, 'utf8').catch(() => undefined)
  if (existing) return existing.trim()
  const value = make()
  await mkdir(secretsDir, { recursive: true, mode: 0o700 })
  await writeFile(file, `${value}\n`, { mode: 0o600 })
  return value
}
const devSecrets = {
  gen2: await devSecret(secretFiles.gen2, () => `whsec_${randomBytes(24).toString('base64url')}`),
  gen1: await devSecret(secretFiles.gen1, () => randomBytes(24).toString('base64url')),
}
const stack = createLocalStack(config, (line) => console.log(`stack: ${line}`))
for (const r of await stack.up()) console.log(`stack: ${r.name} ${r.outcome} (${r.seconds} s)`)
const infraEnv = infraToEnv(localStackInfra(config))

const children: ChildProcess[] = []
const ingest = spawn(process.execPath, [join(repoRoot, 'services/ingest/src/main.ts')], {
  env: {
    ...process.env,
    ...infraEnv,
    INGEST_HOST: '127.0.0.1',
    INGEST_PORT: String(ports.ingest),
    INGEST_OPS_PORT: String(ports.ingestOps),
    INGEST_ALLOW_PLAIN_HTTP: 'true',
    INGEST_SOURCES_FILE: join(repoRoot, 'services/ingest/dev/sources.json'),
    NUDJ_DEV_GEN2_SECRET: devSecrets.gen2,
    NUDJ_DEV_GEN1_AUTHORIZATION: `Bearer ${devSecrets.gen1}`,
  },
  stdio: 'inherit',
})
children.push(ingest)
ingest.on('exit', (code) => {
  console.error(`dev: ingest exited with ${code}`)
  process.exitCode = code ?? 1
})

const stop = (): void => {
  for (const child of children) child.kill('SIGTERM')
}
process.on('SIGINT', stop)
process.on('SIGTERM', stop)

await waitFor(
  async () => (await fetch(`http://127.0.0.1:${ports.ingestOps}/readyz`).catch(() => undefined))?.ok || ingest.exitCode !== null,
  {
    timeoutMs: 60_000,
    intervalMs: 250,
    message: 'ingest did not become ready within 60 s',
  },
)
const url = `http://127.0.0.1:${ports.ingest}/webhooks/nudj/dev`
console.log(`
dev: the pipeline is running (services built so far: ingest). Ctrl-C stops them.
  ingest      ${url}   (ops: http://127.0.0.1:${ports.ingestOps}/metrics, /readyz, /openapi.json)
  traffic     pnpm nudj-sim send --url ${url} --secret-file ${secretFiles.gen2} --gen1-token-file ${secretFiles.gen1} --count 1000
`)
if (values.send) {
  const sender = spawn(
    process.execPath,
    [join(repoRoot, 'packages/nudj-sim/bin/nudj-sim.ts'), 'send', '--url', url, '--count', values.send],
    {
      env: { ...process.env, NUDJ_SIM_SECRET: devSecrets.gen2, NUDJ_SIM_GEN1_TOKEN: devSecrets.gen1 },
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  )
  children.push(sender)
}
