import {
  ConfigError,
  consumerGroupEnv,
  durationVar,
  collectConfig,
  parseDuration,
  parseTrustedProxies,
  readJsonFile,
  readSecret,
  requireSecret,
  secretEnv,
  secretProblem,
  sharedServiceEnv,
} from '@nudj-webhooks/config'
import { defaultTopologyFile, readGroupTopology } from '@nudj-webhooks/kafka'
import { Type, type Static } from '@sinclair/typebox'
import { defaultRules } from './default-rules.ts'
import { parseRules, type Rule } from './rules.ts'

// The only file of this service that reads the environment (and the secret files it names).

const tokenSecretBytes = 32

const schema = Type.Object({
  NOTIFICATIONS_HOST: Type.String({ default: '0.0.0.0', description: 'address of the public listener (SSE, inbox API, page)' }),
  NOTIFICATIONS_PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 8092, description: 'public port' }),
  NOTIFICATIONS_OPS_HOST: Type.String({ default: '127.0.0.1', description: 'address of the ops listener (/metrics, /livez, /readyz)' }),
  NOTIFICATIONS_OPS_PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 9192, description: 'ops port, never the public one' }),
  ...secretEnv(
    'NOTIFICATIONS_TOKEN_SECRET',
    `HMAC key that signs user tokens, at least ${tokenSecretBytes} bytes (this or the _FILE form is required)`,
  ),
  ...secretEnv(
    'NOTIFICATIONS_TOKEN_PREVIOUS_SECRETS',
    `optional: comma-separated retired token keys (each at least ${tokenSecretBytes} bytes) that still verify, never sign: rotation`,
  ),
  NOTIFICATIONS_RULES_FILE: Type.Optional(Type.String({ description: 'optional: JSON rules file; the built-in rules when unset' })),
  ...secretEnv(
    'NOTIFICATIONS_CHAT_WEBHOOK_URL',
    'optional: Slack-compatible incoming webhook for operator alerts (a secret); unset, alerts are dropped (counted as disabled)',
  ),
  NOTIFICATIONS_CHAT_TIMEOUT: durationVar('5s', 'longest wait for the chat webhook before retrying'),
  NOTIFICATIONS_CHAT_OUTBOX_INTERVAL: durationVar('1s', 'how often each replica looks for chat alerts to post (after commit)'),
  NOTIFICATIONS_HEARTBEAT: durationVar('15s', 'interval of SSE heartbeat comments (keeps proxies from closing idle streams)'),
  NOTIFICATIONS_BURST_THRESHOLD: Type.Integer({
    minimum: 1,
    default: 5,
    description: 'reward.delivery_failed events within one window that raise one burst alert',
  }),
  NOTIFICATIONS_BURST_WINDOW: durationVar('5m', 'burst window (fixed windows aligned to the epoch, by event time)'),
  NOTIFICATIONS_MAX_STREAMS: Type.Integer({
    minimum: 1,
    default: 2_500,
    description: 'SSE connections one replica accepts (503 beyond); sized to the 384 MiB pod (README: stream caps)',
  }),
  NOTIFICATIONS_MAX_STREAMS_PER_USER: Type.Integer({
    minimum: 1,
    default: 5,
    description: 'SSE connections of one user on one replica (429 beyond)',
  }),
  NOTIFICATIONS_MAX_STREAMS_PER_ADDRESS: Type.Integer({
    minimum: 1,
    default: 100,
    description: 'SSE connections from one client address on one replica (429 beyond); see NOTIFICATIONS_TRUSTED_PROXIES',
  }),
  NOTIFICATIONS_TRUSTED_PROXIES: Type.String({
    default: '',
    description:
      'comma-separated addresses or CIDRs (or loopback, linklocal, uniquelocal) whose X-Forwarded-For/-Proto are believed; none by default',
  }),
  NOTIFICATIONS_DB_POOL_SIZE: Type.Integer({
    minimum: 5,
    default: 20,
    description: 'Postgres connections; partitions are consumed at once up to this less 4 (kept for streams and the inbox API)',
  }),
  NOTIFICATIONS_RETRY_SCHEDULE: Type.Optional(
    Type.String({
      description: "delays of the retry tiers, then the DLQ (e.g. 10s,1m,10m); default: group notifications' in TOPOLOGY_FILE",
    }),
  ),
  ...sharedServiceEnv('notifications'),
  ...consumerGroupEnv('notifications'),
  DATABASE_URL: Type.String({ minLength: 1, writeOnly: true, description: 'Postgres: inbox, ledger, burst windows' }),
})

export type NotificationsEnv = Static<typeof schema>

export type NotificationsConfig = NotificationsEnv & {
  brokers: string[]
  tokenSecret: Buffer
  previousTokenSecrets: Buffer[]
  trustedProxies: string[]
  chatWebhookUrl?: string
  rules: Rule[]
  /** The group's topics (TOPOLOGY_FILE, under KAFKA_TOPIC_PREFIX). */
  topics: string[]
  retrySchedule: number[]
  heartbeatMs: number
  burstWindowMs: number
  chatTimeoutMs: number
  chatOutboxIntervalMs: number
  handlerTimeoutMs: number
  statementTimeoutMs: number
  sessionTimeoutMs: number
  shutdownTimeoutMs: number
}

/** Loads and checks everything at once; throws a ConfigError listing every problem. */
export function loadNotificationsConfig(env: Record<string, string | undefined> = process.env): NotificationsConfig {
  const problems: string[] = []
  const base = collectConfig(schema, env, problems)
  const tokenSecret = readTokenSecret(env, problems)
  const previousTokenSecrets = readPreviousTokenSecrets(env, problems)
  // A URL rather than a key: any length, but an empty file is still refused.
  const chatWebhookUrl = readSecret(env, 'NOTIFICATIONS_CHAT_WEBHOOK_URL', problems, 1)
  if (chatWebhookUrl && !/^https?:\/\//.test(chatWebhookUrl)) problems.push('NOTIFICATIONS_CHAT_WEBHOOK_URL: must be an http(s) URL')
  let rules: Rule[] = []
  try {
    rules = parseRules(env.NOTIFICATIONS_RULES_FILE ? readJsonFile(env.NOTIFICATIONS_RULES_FILE) : defaultRules)
  } catch (err) {
    problems.push(`NOTIFICATIONS_RULES_FILE: ${(err as Error).message}`)
  }
  const trustedProxies = parseTrustedProxies('NOTIFICATIONS_TRUSTED_PROXIES', env.NOTIFICATIONS_TRUSTED_PROXIES ?? '', problems)
  const schedule = { name: 'NOTIFICATIONS_RETRY_SCHEDULE', value: env.NOTIFICATIONS_RETRY_SCHEDULE }
  const topology = { group: 'notifications', topicPrefix: base?.KAFKA_TOPIC_PREFIX, override: schedule }
  const group = readGroupTopology(env.TOPOLOGY_FILE ?? defaultTopologyFile, topology, problems)
  if (problems.length > 0 || !base || !tokenSecret || !group) throw new ConfigError(problems)
  return {
    ...base,
    brokers: base.KAFKA_BROKERS.split(',').map((b) => b.trim()),
    tokenSecret: Buffer.from(tokenSecret),
    previousTokenSecrets,
    trustedProxies,
    chatWebhookUrl,
    rules,
    ...group,
    heartbeatMs: parseDuration(base.NOTIFICATIONS_HEARTBEAT),
    burstWindowMs: parseDuration(base.NOTIFICATIONS_BURST_WINDOW),
    chatTimeoutMs: parseDuration(base.NOTIFICATIONS_CHAT_TIMEOUT),
    chatOutboxIntervalMs: parseDuration(base.NOTIFICATIONS_CHAT_OUTBOX_INTERVAL),
    handlerTimeoutMs: parseDuration(base.CONSUMER_HANDLER_TIMEOUT),
    statementTimeoutMs: parseDuration(base.POSTGRES_STATEMENT_TIMEOUT),
    sessionTimeoutMs: parseDuration(base.CONSUMER_SESSION_TIMEOUT),
    shutdownTimeoutMs: parseDuration(base.SHUTDOWN_TIMEOUT),
  }
}

/** Retired keys: one variable (or file), comma-separated, each held to the signing key's rule. */
function readPreviousTokenSecrets(env: Record<string, string | undefined>, problems: string[]): Buffer[] {
  const list = readSecret(env, 'NOTIFICATIONS_TOKEN_PREVIOUS_SECRETS', problems, 1)
  const keys = (list ?? '')
    .split(',')
    .map((k) => k.trim())
    .filter((k) => k !== '')
  keys.forEach((key, index) => {
    const problem = secretProblem(key, tokenSecretBytes)
    if (problem) problems.push(`NOTIFICATIONS_TOKEN_PREVIOUS_SECRETS: key ${index + 1} ${problem}`)
  })
  return keys.map((k) => Buffer.from(k))
}

/** For bin/: the signing key alone (the CLI needs nothing else). */
export function loadTokenSecret(env: Record<string, string | undefined> = process.env): Buffer {
  const problems: string[] = []
  const secret = readTokenSecret(env, problems)
  if (problems.length > 0 || !secret) throw new ConfigError(problems)
  return Buffer.from(secret)
}

/** For bin/ (revoke): the database alone. */
export function loadDatabaseUrl(env: Record<string, string | undefined> = process.env): string {
  if (!env.DATABASE_URL) throw new ConfigError(['DATABASE_URL: required (the notifications database)'])
  return env.DATABASE_URL
}

/** The key that signs user tokens: required, and longer than other secrets (it is an HMAC key chosen by us). */
function readTokenSecret(env: Record<string, string | undefined>, problems: string[]): string | undefined {
  const missing = 'NOTIFICATIONS_TOKEN_SECRET or NOTIFICATIONS_TOKEN_SECRET_FILE: required (the key that signs user tokens)'
  return requireSecret(env, 'NOTIFICATIONS_TOKEN_SECRET', problems, missing, tokenSecretBytes)
}

export { schema as notificationsEnvSchema }
