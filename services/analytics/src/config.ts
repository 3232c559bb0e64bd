import {
  ConfigError,
  consumerGroupEnv,
  durationVar,
  collectConfig,
  parseDuration,
  readSecret,
  requireSecret,
  secretEnv,
  secretProblem,
  sharedServiceEnv,
} from '@nudj-webhooks/config'
import { defaultTopologyFile, readGroupTopology } from '@nudj-webhooks/kafka'
import { Type, type Static } from '@sinclair/typebox'

// The only file of this service that reads the environment (and the secret file it names).

const schema = Type.Object({
  ANALYTICS_HOST: Type.String({ default: '0.0.0.0', description: 'address of the public listener (the query API)' }),
  ANALYTICS_PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 8091, description: 'public port of the query API' }),
  ANALYTICS_OPS_HOST: Type.String({ default: '127.0.0.1', description: 'address of the ops listener (/metrics, /livez, /readyz)' }),
  ANALYTICS_OPS_PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 9191, description: 'ops port, never the public one' }),
  ANALYTICS_RETRY_SCHEDULE: Type.Optional(
    Type.String({ description: "delays of the retry tiers, then the DLQ (e.g. 10s,1m,10m); default: group analytics' in TOPOLOGY_FILE" }),
  ),
  ANALYTICS_PARTITIONS_CONCURRENTLY: Type.Integer({
    minimum: 1,
    default: 3,
    description: 'partitions projected at once (each batch is one transaction)',
  }),
  ANALYTICS_DB_POOL_SIZE: Type.Integer({ minimum: 2, default: 10, description: 'Postgres connections of the projector (and migrations)' }),
  ANALYTICS_API_DB_POOL_SIZE: Type.Integer({
    minimum: 1,
    default: 5,
    description: 'Postgres connections of the query API (a pool of its own, under ANALYTICS_QUERY_TIMEOUT)',
  }),
  ANALYTICS_QUERY_TIMEOUT: durationVar('10s', 'statement_timeout of the query API: a longer query is cancelled (504 QUERY_TIMEOUT)'),
  ...secretEnv(
    'ANALYTICS_API_TOKENS',
    'bearer tokens of the query API, comma- or line-separated (two during a rotation), each at least 16 bytes; none: the API answers 403 to everything',
  ),
  ...sharedServiceEnv('analytics'),
  ...consumerGroupEnv('analytics'),
  ...secretEnv('DATABASE_URL', 'Postgres URL (projections, ledger, migrations), with its password; this or DATABASE_URL_FILE is required'),
})

export type AnalyticsEnv = Static<typeof schema>

export type AnalyticsConfig = Omit<
  AnalyticsEnv,
  'KAFKA_BROKERS' | 'DATABASE_URL' | 'DATABASE_URL_FILE' | 'ANALYTICS_API_TOKENS' | 'ANALYTICS_API_TOKENS_FILE' | 'ANALYTICS_RETRY_SCHEDULE'
> & {
  brokers: string[]
  databaseUrl: string
  /** Bearer tokens of the query API; empty: it refuses every request. */
  apiTokens: string[]
  queryTimeoutMs: number
  /** The group's topics (TOPOLOGY_FILE, under KAFKA_TOPIC_PREFIX). */
  topics: string[]
  retrySchedule: number[]
  /** CONSUMER_HANDLER_TIMEOUT: one record's handler, and one batch transaction as a whole. */
  handlerTimeoutMs: number
  /** POSTGRES_STATEMENT_TIMEOUT: statement_timeout of the projector's (and the rebuild's) pool. */
  statementTimeoutMs: number
  /** CONSUMER_SESSION_TIMEOUT: how long a killed instance keeps its partitions. */
  sessionTimeoutMs: number
  shutdownTimeoutMs: number
}

/** Loads and checks everything at once; throws a ConfigError listing every problem. */
export function loadAnalyticsConfig(env: Record<string, string | undefined> = process.env): AnalyticsConfig {
  const problems: string[] = []
  const base = collectConfig(schema, env, problems)
  // A URL rather than a key: any length, but an empty file is refused like any other secret.
  const databaseUrl = requireSecret(env, 'DATABASE_URL', problems, 'DATABASE_URL: set it or DATABASE_URL_FILE', 1)
  const apiTokens = readApiTokens(env, problems)
  const schedule = { name: 'ANALYTICS_RETRY_SCHEDULE', value: env.ANALYTICS_RETRY_SCHEDULE }
  const topology = { group: 'analytics', topicPrefix: base?.KAFKA_TOPIC_PREFIX, override: schedule }
  const group = readGroupTopology(env.TOPOLOGY_FILE ?? defaultTopologyFile, topology, problems)
  // Renamed: refused rather than ignored, so that an upgrade cannot change the timeout silently.
  if (env.ANALYTICS_HANDLER_TIMEOUT !== undefined)
    problems.push('ANALYTICS_HANDLER_TIMEOUT: renamed CONSUMER_HANDLER_TIMEOUT (shared by the consumer services); set that instead')
  if (problems.length > 0 || !base || !databaseUrl || !group) throw new ConfigError(problems)
  const {
    KAFKA_BROKERS,
    DATABASE_URL: _url,
    DATABASE_URL_FILE: _file,
    ANALYTICS_API_TOKENS: _t,
    ANALYTICS_API_TOKENS_FILE: _tf,
    ANALYTICS_RETRY_SCHEDULE: _schedule,
    ...rest
  } = base
  return {
    ...rest,
    brokers: KAFKA_BROKERS.split(',').map((b) => b.trim()),
    databaseUrl,
    apiTokens,
    queryTimeoutMs: parseDuration(base.ANALYTICS_QUERY_TIMEOUT),
    ...group,
    handlerTimeoutMs: parseDuration(base.CONSUMER_HANDLER_TIMEOUT),
    statementTimeoutMs: parseDuration(base.POSTGRES_STATEMENT_TIMEOUT),
    sessionTimeoutMs: parseDuration(base.CONSUMER_SESSION_TIMEOUT),
    shutdownTimeoutMs: parseDuration(base.SHUTDOWN_TIMEOUT),
  }
}

/** The query API's tokens (several during a rotation), each held to the secret rule; problems never quote one. */
function readApiTokens(env: Record<string, string | undefined>, problems: string[]): string[] {
  const tokens = (readSecret(env, 'ANALYTICS_API_TOKENS', problems) ?? '').split(/[\s,]+/).filter((t) => t !== '')
  tokens.forEach((token, i) => {
    const problem = secretProblem(token)
    if (problem) problems.push(`ANALYTICS_API_TOKENS: token ${i + 1} of ${tokens.length} ${problem}`)
  })
  return tokens
}

export { schema as analyticsEnvSchema }
