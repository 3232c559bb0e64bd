// The whole pipeline on this machine: the stack, then the services in the foreground.
//   pnpm dev [--send N]     N: simulated Nudj events to send once ingest is ready
// Ctrl-C stops the services; the stack keeps running (pnpm stack down stops it).
import { spawn, type ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { loadStackConfig } from '../src/config.ts'
import { infraToEnv, localStackInfra } from '../src/infra.ts'
import { repoRoot } from '../src/repo-root.ts'
import { createLocalStack } from '../src/stack/local-stack.ts'
import { waitFor } from '../src/wait-for.ts'

// Development-only credentials for the dev source; never use them anywhere else.
const devSecrets = { gen2: 'whsec_dev_only_not_a_secret', gen1: 'dev-only-gen1-token' }
const ports = { ingest: 8080, ingestOps: 9090 }

const { values } = parseArgs({ options: { send: { type: 'string' }, help: { type: 'boolean', short: 'h' } } })
if (values.help) {
  console.log(
    'usage: pnpm dev [--send N]\n\nStarts the local stack and the services; --send N sends N simulated Nudj events once ingest is ready.',
  )
  process.exit(0)
}

const config = loadStackConfig(repoRoot)
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
  traffic     NUDJ_SIM_SECRET=${devSecrets.gen2} NUDJ_SIM_GEN1_TOKEN=${devSecrets.gen1} pnpm nudj-sim send --url ${url} --count 1000
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
