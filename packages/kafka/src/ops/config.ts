import { ConfigError, connectionSecurityEnv, loadConfig } from '@nudj-webhooks/config'
import { connectionSecurity, type ConnectionSecurity } from '../connection-security.ts'
import { defaultTopologyFile } from './load-topology.ts'

// The only file of the ops CLI that reads the environment.

export type OpsConfig = {
  brokers: string[]
  /** Confluent-compatible registry API root; without it values are shown as base64. */
  schemaRegistryUrl: string | undefined
  topologyFile: string
  security: ConnectionSecurity
}

export const opsEnvironmentHelp = `Environment:
  KAFKA_BROKERS        comma-separated host:port list (default 127.0.0.1:9092)
  OPS_TOPOLOGY_FILE    the topics and consumer groups, JSON (default: the repository's deploy/topology.json)
  SCHEMA_REGISTRY_URL  decode values in 'dlq show' through this registry (optional)
  KAFKA_SSL, KAFKA_SSL_CA_FILE, KAFKA_SSL_CERT_FILE, KAFKA_SSL_KEY_FILE,
  KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD(_FILE),
  SCHEMA_REGISTRY_USERNAME, SCHEMA_REGISTRY_PASSWORD(_FILE)
                       TLS, SASL and registry auth, as the services read them (docs/kafka-security.md)`

/** Reads the CLI's settings, listing every problem at once; `warn` hears of weak but legal security. */
export function loadOpsConfig(env: Record<string, string | undefined>, warn: (message: string) => void = () => undefined): OpsConfig {
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
  let security: ConnectionSecurity | undefined
  try {
    security = connectionSecurity({ ...loadConfig(connectionSecurityEnv(), env), brokers, SCHEMA_REGISTRY_URL: schemaRegistryUrl }, warn)
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err
    problems.push(...err.problems)
  }
  if (problems.length > 0 || !security) throw new ConfigError(problems)
  return { brokers, schemaRegistryUrl, topologyFile: nonEmpty(env.OPS_TOPOLOGY_FILE) ?? defaultTopologyFile, security }
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim()
}
