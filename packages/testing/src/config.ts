import { join, resolve } from 'node:path'

// The only file of this package that reads the environment.

export type StackConfig = {
  /** Where the stack keeps data, logs and process records (git ignores it). */
  dir: string
  /** Where downloaded and built artifacts are cached (default `<dir>/artifacts`). */
  artifactsDir: string
  kafka: { version: string; port: number; controllerPort: number }
  registry: { version: string; port: number; managementPort: number }
  postgres: { port: number; password: string }
  smtp: { version: string; smtpPort: number; httpPort: number }
  /** `local` runs the servers as processes; `docker` uses docker-compose.yml; `auto` picks. */
  mode: 'auto' | 'local' | 'docker'
  /** JAVA_HOME, one more place to look for a JDK. */
  javaHome?: string
}

export type ExternalInfra = {
  kafkaBrokers?: string[]
  schemaRegistryUrl?: string
  databaseUrl?: string
  smtpUrl?: string
  mailApiUrl?: string
}

export function loadStackConfig(root: string, env = process.env): StackConfig {
  const problems: string[] = []
  const port = (name: string, fallback: number): number => {
    const raw = env[name]
    if (raw === undefined || raw === '') return fallback
    const value = Number(raw)
    if (!Number.isInteger(value) || value < 1 || value > 65535) {
      problems.push(`${name} must be a TCP port (1-65535), got ${JSON.stringify(raw)}`)
    }
    return value
  }
  const mode = env.STACK_MODE ?? 'auto'
  if (mode !== 'auto' && mode !== 'local' && mode !== 'docker') {
    problems.push(`STACK_MODE must be auto, local or docker, got ${JSON.stringify(mode)}`)
  }
  const config: StackConfig = {
    dir: resolve(root, env.STACK_DIR ?? '.stack'),
    artifactsDir: resolve(root, env.STACK_ARTIFACTS_DIR ?? join(env.STACK_DIR ?? '.stack', 'artifacts')),
    kafka: {
      version: '4.1.1',
      port: port('STACK_KAFKA_PORT', 9092),
      controllerPort: port('STACK_KAFKA_CONTROLLER_PORT', 9093),
    },
    registry: { version: '3.3.3', port: port('STACK_REGISTRY_PORT', 8081), managementPort: port('STACK_REGISTRY_MANAGEMENT_PORT', 9081) },
    // A development database on loopback only; the password is not a secret.
    postgres: { port: port('STACK_POSTGRES_PORT', 5432), password: 'postgres' },
    smtp: {
      version: 'v1.33.1',
      smtpPort: port('STACK_SMTP_PORT', 1025),
      httpPort: port('STACK_MAIL_API_PORT', 8025),
    },
    mode: mode as StackConfig['mode'],
    javaHome: env.JAVA_HOME,
  }
  if (problems.length > 0) throw new Error(`invalid stack configuration:\n  ${problems.join('\n  ')}`)
  return config
}

/** Infrastructure named by the environment, which tests use instead of starting any. */
export function loadExternalInfra(env = process.env): ExternalInfra {
  const nonEmpty = (name: string): string | undefined => (env[name] ? env[name] : undefined)
  const brokers = nonEmpty('KAFKA_BROKERS')
  return {
    kafkaBrokers: brokers?.split(',').map((b) => b.trim()),
    schemaRegistryUrl: nonEmpty('SCHEMA_REGISTRY_URL'),
    databaseUrl: nonEmpty('DATABASE_URL'),
    smtpUrl: nonEmpty('SMTP_URL'),
    mailApiUrl: nonEmpty('MAIL_API_URL'),
  }
}
