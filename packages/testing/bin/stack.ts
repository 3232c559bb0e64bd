// The local stack: Kafka (KRaft), the schema registry, Postgres and SMTP on loopback.
//   pnpm stack up [server...]     start (or keep) the servers; prints their addresses
//   pnpm stack status [server...] each server, its address, process and health
//   pnpm stack down [server...]   stop what `up` started
import { loadStackConfig } from '../src/config.ts'
import { infraToEnv, localStackInfra } from '../src/infra.ts'
import { repoRoot } from '../src/repo-root.ts'
import { chooseStackMode } from '../src/stack/choose-stack-mode.ts'
import { createDockerStack } from '../src/stack/docker-stack.ts'
import { createLocalStack } from '../src/stack/local-stack.ts'
import type { ServerName } from '../src/stack/server.ts'

const usage = `usage: pnpm stack <up|status|down> [kafka|registry|postgres|smtp ...]

  up       start the servers (all by default) and wait until each answers;
           servers already running are left alone
  status   print each server's address, process and health
           (exit 0 when all are healthy, 3 otherwise)
  down     stop the servers that 'up' started

Artifacts, data, logs and process records live in .stack/ (STACK_DIR).
STACK_MODE=local|docker|auto chooses local processes or docker compose (auto: local
processes when Java, Maven and Go are present, else Docker when an engine answers).`

const names: ServerName[] = ['kafka', 'registry', 'postgres', 'smtp']

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    console.log(usage)
    return command === undefined ? 2 : 0
  }
  const unknown = rest.filter((n) => !names.includes(n as ServerName))
  if (unknown.length > 0) {
    console.error(`stack: unknown server ${unknown.join(', ')}; the servers are ${names.join(', ')}`)
    return 2
  }
  const selected = rest.length > 0 ? (rest as ServerName[]) : undefined
  const config = loadStackConfig(repoRoot)
  const mode = await chooseStackMode(config.mode)

  if (mode === 'docker') {
    const docker = createDockerStack(repoRoot)
    if (command === 'up') console.log(await docker.up())
    else if (command === 'status') console.log(await docker.status())
    else if (command === 'down') console.log(await docker.down())
    else return unknownCommand(command)
    return 0
  }

  const stack = createLocalStack(config, (line) => console.log(`stack: ${line}`))
  switch (command) {
    case 'up': {
      const began = performance.now()
      for (const result of await stack.up(selected)) {
        console.log(`stack: ${result.name} ${result.outcome} (${result.seconds} s)`)
      }
      console.log(`stack: up in ${((performance.now() - began) / 1000).toFixed(1)} s; logs in ${config.dir}/logs\n`)
      for (const [key, value] of Object.entries(infraToEnv(localStackInfra(config)))) console.log(`${key}=${value}`)
      return 0
    }
    case 'status': {
      const statuses = await stack.status(selected)
      for (const s of statuses) {
        const pid = s.pid === undefined ? '-' : String(s.pid)
        console.log(`${s.name.padEnd(9)} ${s.state.padEnd(10)} pid ${pid.padEnd(8)} ${s.address}`)
      }
      return statuses.every((s) => s.state === 'healthy') ? 0 : 3
    }
    case 'down': {
      const stopped = await stack.down(selected)
      console.log(stopped.length > 0 ? `stack: stopped ${stopped.join(', ')}` : 'stack: nothing was running')
      return 0
    }
    default:
      return unknownCommand(command)
  }
}

function unknownCommand(command: string): number {
  console.error(`stack: unknown command '${command}'\n\n${usage}`)
  return 2
}

try {
  process.exitCode = await main(process.argv.slice(2))
} catch (err) {
  console.error(`stack: ${(err as Error).message}`)
  process.exitCode = 1
}
