import { readFileSync } from 'node:fs'
import { ConfigError, readSecret } from '@nudj-webhooks/config'

export type SaslMechanism = 'plain' | 'scram-sha-256' | 'scram-sha-512'

/** How to reach the brokers: plain data, read once at startup, turned into each client library's options. */
export type KafkaSecurity = {
  /** TLS to every broker (undefined: plaintext). `ca` undefined: the system's CAs. */
  tls?: { ca?: string; cert?: string; key?: string }
  sasl?: { mechanism: SaslMechanism; username: string; password: string }
}

/** Basic-auth credentials of the schema registry. */
export type RegistryAuth = { username: string; password: string }

export type ConnectionSecurity = { kafka: KafkaSecurity; registryAuth?: RegistryAuth }

/** The variables sharedServiceEnv declares, after loadConfig, plus where they point. */
export type ConnectionSecuritySettings = {
  brokers: string[]
  SCHEMA_REGISTRY_URL?: string
  KAFKA_SSL: boolean
  KAFKA_SSL_CA_FILE?: string
  KAFKA_SSL_CERT_FILE?: string
  KAFKA_SSL_KEY_FILE?: string
  KAFKA_SASL_MECHANISM: 'none' | SaslMechanism
  KAFKA_SASL_USERNAME?: string
  KAFKA_SASL_PASSWORD?: string
  KAFKA_SASL_PASSWORD_FILE?: string
  SCHEMA_REGISTRY_USERNAME?: string
  SCHEMA_REGISTRY_PASSWORD?: string
  SCHEMA_REGISTRY_PASSWORD_FILE?: string
}

/**
 * The one place that turns the security settings into what the clients get: reads the
 * certificate files and the passwords (through readSecret: never quoted, at least 16 bytes),
 * and refuses inconsistent settings with a ConfigError that lists every problem. A password
 * that would cross the network in clear text (SASL/PLAIN without TLS, registry basic auth
 * over http://) is refused unless every host is on loopback; weaker but legal setups (no
 * TLS, no authentication to a remote broker) are passed to `warn`.
 */
export function connectionSecurity(settings: ConnectionSecuritySettings, warn: (message: string) => void): ConnectionSecurity {
  const problems: string[] = []
  const { KAFKA_SASL_PASSWORD, KAFKA_SASL_PASSWORD_FILE, SCHEMA_REGISTRY_PASSWORD, SCHEMA_REGISTRY_PASSWORD_FILE } = settings
  const secrets = { KAFKA_SASL_PASSWORD, KAFKA_SASL_PASSWORD_FILE, SCHEMA_REGISTRY_PASSWORD, SCHEMA_REGISTRY_PASSWORD_FILE }
  const readFile = (name: 'KAFKA_SSL_CA_FILE' | 'KAFKA_SSL_CERT_FILE' | 'KAFKA_SSL_KEY_FILE'): string | undefined => {
    const file = settings[name] || undefined
    if (file === undefined) return undefined
    if (!settings.KAFKA_SSL) problems.push(`${name}: set, but KAFKA_SSL is not true`)
    try {
      return readFileSync(file, 'utf8')
    } catch (err) {
      problems.push(`${name}: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`)
      return undefined
    }
  }
  const [ca, cert, key] = [readFile('KAFKA_SSL_CA_FILE'), readFile('KAFKA_SSL_CERT_FILE'), readFile('KAFKA_SSL_KEY_FILE')]
  if (!settings.KAFKA_SSL_CERT_FILE !== !settings.KAFKA_SSL_KEY_FILE)
    problems.push('KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE: a client certificate needs both')

  const kafka: KafkaSecurity = settings.KAFKA_SSL ? { tls: { ca, cert, key } } : {}
  const mechanism = settings.KAFKA_SASL_MECHANISM
  const username = settings.KAFKA_SASL_USERNAME || undefined
  const password = readSecret(secrets, 'KAFKA_SASL_PASSWORD', problems)
  const remoteBrokers = settings.brokers.filter((b) => !isLoopback(b.replace(/:\d+$/, '')))
  if (mechanism === 'none') {
    if (username !== undefined || password !== undefined)
      problems.push('KAFKA_SASL_USERNAME / KAFKA_SASL_PASSWORD: set, but KAFKA_SASL_MECHANISM is none (set the mechanism)')
    if (remoteBrokers.length > 0 && !settings.KAFKA_SSL)
      warn(`kafka: connections to ${remoteBrokers.join(',')} are neither encrypted nor authenticated (see docs/kafka-security.md)`)
  } else {
    if (username === undefined) problems.push(`KAFKA_SASL_USERNAME: required when KAFKA_SASL_MECHANISM is ${mechanism}`)
    if (password === undefined && !problems.some((p) => p.startsWith('KAFKA_SASL_PASSWORD')))
      problems.push(`KAFKA_SASL_PASSWORD (or KAFKA_SASL_PASSWORD_FILE): required when KAFKA_SASL_MECHANISM is ${mechanism}`)
    if (username !== undefined && password !== undefined) kafka.sasl = { mechanism, username, password }
    if (remoteBrokers.length > 0 && !settings.KAFKA_SSL) {
      if (mechanism === 'plain')
        problems.push('KAFKA_SASL_MECHANISM: plain sends the password in clear text; set KAFKA_SSL=true (or use scram-sha-512)')
      else warn(`kafka: ${mechanism} without TLS to ${remoteBrokers.join(',')}: the password is safe, the records are not encrypted`)
    }
  }

  const registryUser = settings.SCHEMA_REGISTRY_USERNAME || undefined
  const registryPassword = readSecret(secrets, 'SCHEMA_REGISTRY_PASSWORD', problems)
  let registryAuth: RegistryAuth | undefined
  if (registryUser !== undefined && registryPassword !== undefined) registryAuth = { username: registryUser, password: registryPassword }
  else if (registryUser !== undefined && !problems.some((p) => p.startsWith('SCHEMA_REGISTRY_PASSWORD')))
    problems.push('SCHEMA_REGISTRY_PASSWORD (or SCHEMA_REGISTRY_PASSWORD_FILE): required with SCHEMA_REGISTRY_USERNAME')
  else if (registryPassword !== undefined) problems.push('SCHEMA_REGISTRY_USERNAME: required with SCHEMA_REGISTRY_PASSWORD')
  const registry = settings.SCHEMA_REGISTRY_URL === undefined ? undefined : URL.parse(settings.SCHEMA_REGISTRY_URL)
  if (registry && registryAuth && registry.protocol !== 'https:' && !isLoopback(registry.hostname))
    problems.push('SCHEMA_REGISTRY_URL: basic auth over http:// sends the password in clear text; use https://')

  if (problems.length > 0) throw new ConfigError(problems)
  return { kafka, registryAuth }
}

/** Whether a host name or address is this machine (`127.x`, `::1`, `localhost`). */
function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '')
  return bare === 'localhost' || bare === '::1' || /^127\.\d+\.\d+\.\d+$/.test(bare)
}
