import { collectConfig, ConfigError, durationVar, parseDuration, requireSecret, secretEnv, sharedServiceEnv } from '@nudj-webhooks/config'
import { defaultTopologyFile } from '@nudj-webhooks/kafka'
import { Type, type Static } from '@sinclair/typebox'

// The only file of this service that reads the environment (and the secret file it names).

const databaseUrl = (service: string) =>
  Type.Optional(
    Type.String({
      writeOnly: true, // it may carry a password: no config error quotes it
      description: `optional: the ${service} database, for each webhook's ${service} outcome (a read-only role is enough)`,
    }),
  )

const schema = Type.Object({
  CONSOLE_HOST: Type.String({ default: '127.0.0.1', description: 'address of the console (the page and its API); keep it ops-side' }),
  CONSOLE_PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 9300, description: 'port of the console' }),
  ...secretEnv('CONSOLE_TOKEN', 'the operators’ token (at least 16 bytes): a bearer token, or typed once into the page (required)'),
  CONSOLE_ACTOR: Type.String({
    minLength: 1,
    default: 'console',
    description: 'who.user of the audit records of the console’s redrives and replays (who.client is the browser’s address)',
  }),
  TOPOLOGY_FILE: Type.Optional(
    Type.String({
      minLength: 1,
      description:
        "the topics and consumer groups, read as `pnpm ops` reads them (topic names as they are); default: the repository's (and the image's) deploy/topology.json",
    }),
  ),
  CONSOLE_ANALYTICS_DATABASE_URL: databaseUrl('analytics'),
  CONSOLE_EMAIL_DATABASE_URL: databaseUrl('email'),
  CONSOLE_NOTIFICATIONS_DATABASE_URL: databaseUrl('notifications'),
  CONSOLE_METRICS_URLS: Type.String({
    default: '',
    description: 'optional: comma-separated /metrics URLs of the consumer services, for lag in seconds and paused partitions',
  }),
  CONSOLE_TAIL_SIZE: Type.Integer({
    minimum: 1,
    maximum: 5_000,
    default: 200,
    description: 'records of the live tail a new page is shown',
  }),
  CONSOLE_SEARCH_WINDOW: durationVar('1h', 'time range a search or a story reads when none is given'),
  CONSOLE_SCAN_MAX_RECORDS: Type.Integer({
    minimum: 1,
    default: 50_000,
    description: 'records one search or story reads at most, over every topic; beyond, it stops and says it was cut short',
  }),
  CONSOLE_SCAN_TIMEOUT: durationVar('20s', 'longest one search or story reads Kafka'),
  CONSOLE_MAX_STREAMS: Type.Integer({ minimum: 1, default: 50, description: 'live tails (pages) open at once; more get 503 BUSY' }),
  CONSOLE_MAX_SCANS: Type.Integer({
    minimum: 1,
    default: 4,
    description: 'searches and stories reading Kafka at once (each a consumer of its own); more get 503 BUSY',
  }),
  CONSOLE_REDRIVE_MAX_RATE: Type.Integer({
    minimum: 1,
    default: 50,
    description: 'records per second a redrive from the console may ask for at most (the rate cap; ops dlq redrive --rate)',
  }),
  ...sharedServiceEnv('console'),
})

export type ConsoleEnv = Static<typeof schema>

export type ConsoleConfig = ConsoleEnv & {
  brokers: string[]
  token: string
  topologyFile: string
  metricsUrls: string[]
  searchWindowMs: number
  scanTimeoutMs: number
  shutdownTimeoutMs: number
}

/** Loads and checks everything at once; throws a ConfigError listing every problem. */
export function loadConsoleConfig(env: Record<string, string | undefined> = process.env): ConsoleConfig {
  const problems: string[] = []
  const base = collectConfig(schema, env, problems)
  const token = requireSecret(env, 'CONSOLE_TOKEN', problems, 'CONSOLE_TOKEN or CONSOLE_TOKEN_FILE: required (the operators’ token)')
  const metricsUrls = (env.CONSOLE_METRICS_URLS ?? '')
    .split(',')
    .map((u) => u.trim())
    .filter((u) => u !== '')
  for (const url of metricsUrls) if (!/^https?:\/\/\S+$/.test(url)) problems.push(`CONSOLE_METRICS_URLS: '${url}' is not an http(s) URL`)
  if (problems.length > 0 || !base || token === undefined) throw new ConfigError(problems)
  return {
    ...base,
    brokers: base.KAFKA_BROKERS.split(',').map((b) => b.trim()),
    token,
    topologyFile: base.TOPOLOGY_FILE ?? defaultTopologyFile,
    metricsUrls,
    searchWindowMs: parseDuration(base.CONSOLE_SEARCH_WINDOW),
    scanTimeoutMs: parseDuration(base.CONSOLE_SCAN_TIMEOUT),
    shutdownTimeoutMs: parseDuration(base.SHUTDOWN_TIMEOUT),
  }
}

export { schema as consoleEnvSchema }
