import type { TestProject } from 'vitest/node'
import { loadExternalInfra, loadStackConfig, type ExternalInfra } from './config.ts'
import { hasContainerRuntime, startContainers } from './container-infra.ts'
import { localStackInfra, type Infra } from './infra.ts'
import { repoRoot } from './repo-root.ts'
import { missingLocalTools } from './stack/choose-stack-mode.ts'
import { createLocalStack } from './stack/local-stack.ts'
import type { ServerName } from './stack/server.ts'

declare module 'vitest' {
  export interface ProvidedContext {
    infra: Infra
  }
}

/**
 * Gives every integration suite the addresses of a real Kafka, schema registry, Postgres
 * and SMTP server: those named by the environment (KAFKA_BROKERS, SCHEMA_REGISTRY_URL,
 * DATABASE_URL, SMTP_URL and MAIL_API_URL); the rest from the local stack, started when
 * it is not running; or, on a machine without Java, Maven or Go, from containers. It never
 * skips: without any of these it fails and says what is missing.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const external = loadExternalInfra()
  const missing = missingServers(external)
  const config = loadStackConfig(repoRoot)
  // The developer's terminal, once per run: where the servers come from.
  const log = (line: string): void => void process.stdout.write(`[infra] ${line}\n`)
  let infra: Infra = { ...localStackInfra(config), ...definedOnly(external) }
  let teardown = async (): Promise<void> => undefined

  if (missing.length > 0) {
    const absentTools = await missingLocalTools()
    if (absentTools.length === 0 || !(await hasContainerRuntime())) {
      const stack = createLocalStack(config, log)
      const results = await stack.up(missing)
      const startedHere = results.filter((r) => r.outcome === 'started').map((r) => r.name)
      log(results.map((r) => `${r.name} ${r.outcome} (${r.seconds} s)`).join(', '))
      // Leave a stack that was already running as it was; stop only what this run started.
      teardown = async () => void (await stack.down(startedHere))
    } else {
      log(`starting ${missing.join(', ')} in containers (no local ${absentTools.join(', ')})`)
      const containers = await startContainers(missing)
      infra = { ...infra, ...containers.infra, ...definedOnly(external) }
      teardown = containers.stop
    }
  }
  log(
    `kafka ${infra.kafkaBrokers.join(',')} · registry ${infra.schemaRegistryUrl} · postgres ${redactPassword(infra.databaseUrl)} · smtp ${infra.smtpUrl}`,
  )
  project.provide('infra', infra)
  return teardown
}

function missingServers(external: ExternalInfra): ServerName[] {
  const missing: ServerName[] = []
  if (!external.kafkaBrokers) missing.push('kafka')
  if (!external.schemaRegistryUrl) missing.push('registry')
  if (!external.databaseUrl) missing.push('postgres')
  if (!external.smtpUrl || !external.mailApiUrl) missing.push('smtp')
  return missing
}

function definedOnly(external: ExternalInfra): Partial<Infra> {
  return Object.fromEntries(Object.entries(external).filter(([, v]) => v !== undefined))
}

function redactPassword(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@')
}
