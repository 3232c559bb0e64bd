import { readFileSync } from 'node:fs'
import {
  ConfigError,
  consumerGroupEnv,
  durationListPattern,
  durationVar,
  loadConfig,
  parseDuration,
  sharedServiceEnv,
} from '@nudj-webhooks/config'
import { Type, type Static } from '@sinclair/typebox'

// The only file of this service that reads the environment (and the secret file it names).

const schema = Type.Object({
  ANALYTICS_HOST: Type.String({ default: '0.0.0.0', description: 'address of the public listener (the query API)' }),
  ANALYTICS_PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 8091, description: 'public port of the query API' }),
  ANALYTICS_OPS_HOST: Type.String({ default: '127.0.0.1', description: 'address of the ops listener (/metrics, /livez, /readyz)' }),
  ANALYTICS_OPS_PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 9191, description: 'ops port, never the public one' }),
  ANALYTICS_RETRY_SCHEDULE: Type.String({
    pattern: durationListPattern,
    default: '10s,1m,10m',
    description: 'delays of the retry tiers (deploy/topology.json), then the DLQ',
  }),
  ANALYTICS_HANDLER_TIMEOUT: durationVar('30s', 'a batch transaction slower than this is aborted and retried'),
  ANALYTICS_PARTITIONS_CONCURRENTLY: Type.Integer({
    minimum: 1,
    default: 3,
    description: 'partitions projected at once (each batch is one transaction)',
  }),
  ANALYTICS_DB_POOL_SIZE: Type.Integer({ minimum: 2, default: 10, description: 'Postgres connections (projector and query API)' }),
  ...sharedServiceEnv('analytics'),
  ...consumerGroupEnv('analytics'),
  DATABASE_URL: Type.Optional(
    Type.String({ minLength: 1, description: 'Postgres URL (projections, ledger, migrations); this or DATABASE_URL_FILE is required' }),
  ),
  DATABASE_URL_FILE: Type.Optional(
    Type.String({ description: 'file holding the Postgres URL (it carries a password); used when DATABASE_URL is unset' }),
  ),
})

export type AnalyticsEnv = Static<typeof schema>

export type AnalyticsConfig = Omit<AnalyticsEnv, 'KAFKA_BROKERS' | 'DATABASE_URL' | 'DATABASE_URL_FILE'> & {
  brokers: string[]
  databaseUrl: string
  retrySchedule: number[]
  handlerTimeoutMs: number
  shutdownTimeoutMs: number
}

/** Loads and checks everything at once; throws a ConfigError listing every problem. */
export function loadAnalyticsConfig(env: Record<string, string | undefined> = process.env): AnalyticsConfig {
  const problems: string[] = []
  let base: AnalyticsEnv | undefined
  try {
    base = loadConfig(schema, env)
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err
    problems.push(...err.problems)
  }
  let databaseUrl = env.DATABASE_URL
  if (!databaseUrl && env.DATABASE_URL_FILE) {
    try {
      databaseUrl = readFileSync(env.DATABASE_URL_FILE, 'utf8').trim()
    } catch (err) {
      problems.push(
        `DATABASE_URL_FILE: cannot read ${env.DATABASE_URL_FILE}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      )
    }
  }
  if (!databaseUrl && !env.DATABASE_URL_FILE) problems.push('DATABASE_URL: set it or DATABASE_URL_FILE')
  if (problems.length > 0 || !base || !databaseUrl) throw new ConfigError(problems)
  const { KAFKA_BROKERS, DATABASE_URL: _url, DATABASE_URL_FILE: _file, ...rest } = base
  return {
    ...rest,
    brokers: KAFKA_BROKERS.split(',').map((b) => b.trim()),
    databaseUrl,
    retrySchedule: base.ANALYTICS_RETRY_SCHEDULE.split(',').map(parseDuration),
    handlerTimeoutMs: parseDuration(base.ANALYTICS_HANDLER_TIMEOUT),
    shutdownTimeoutMs: parseDuration(base.SHUTDOWN_TIMEOUT),
  }
}

export { schema as analyticsEnvSchema }
