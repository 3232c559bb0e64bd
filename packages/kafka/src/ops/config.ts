import { ConfigError } from '@nudj-webhooks/config'

// The only file of the ops CLI that reads the environment.

export type OpsConfig = {
  brokers: string[]
  /** Confluent-compatible registry API root; without it values are shown as base64. */
  schemaRegistryUrl: string | undefined
  topologyFile: string
}

export const opsEnvironmentHelp = `Environment:
  KAFKA_BROKERS        comma-separated host:port list (default 127.0.0.1:9092)
  OPS_TOPOLOGY_FILE    the topics and consumer groups, JSON (default deploy/topology.json)
  SCHEMA_REGISTRY_URL  decode values in 'dlq show' through this registry (optional)`

/** Reads the CLI's settings, listing every problem at once. */
export function loadOpsConfig(env: Record<string, string | undefined>): OpsConfig {
  const problems: string[] = []
  const brokersText = nonEmpty(env.KAFKA_BROKERS) ?? '127.0.0.1:9092'
  const brokers = brokersText
    .split(',')
    .map((b) => b.trim())
    .filter((b) => b !== '')
  for (const broker of brokers) {
    const port = Number(/:(\d+)$/.exec(broker)?.[1])
    if (!(port >= 1 && port <= 65535)) problems.push(`KAFKA_BROKERS: '${broker}' is not host:port`)
  }
  if (brokers.length === 0) problems.push(`KAFKA_BROKERS: no broker in '${brokersText}'`)
  const schemaRegistryUrl = nonEmpty(env.SCHEMA_REGISTRY_URL)
  if (schemaRegistryUrl !== undefined && !/^https?:\/\//.test(schemaRegistryUrl)) {
    problems.push(`SCHEMA_REGISTRY_URL: must be an http(s) URL, got '${schemaRegistryUrl}'`)
  }
  if (problems.length > 0) throw new ConfigError(problems)
  return { brokers, schemaRegistryUrl, topologyFile: nonEmpty(env.OPS_TOPOLOGY_FILE) ?? 'deploy/topology.json' }
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim()
}
