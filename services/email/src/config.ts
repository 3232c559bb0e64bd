import {
  ConfigError,
  consumerGroupEnv,
  durationPattern,
  collectConfig,
  parseDuration,
  readJsonFile,
  readSecret,
  secretEnv,
  sharedServiceEnv,
} from '@nudj-webhooks/config'
import { defaultTopologyFile, readGroupTopology } from '@nudj-webhooks/kafka'
import { Type, type Static } from '@sinclair/typebox'
import { emailCategories, loadRoutes, type Routes } from './load-routes.ts'

// The only file of this service that reads the environment (and the files it names).

const defaultRoutesFile = new URL('../routes.json', import.meta.url).pathname

const schema = Type.Object({
  EMAIL_HOST: Type.String({ default: '0.0.0.0', description: 'address of the public listener (the suppression API)' }),
  EMAIL_PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 8093, description: 'public port (the suppression API)' }),
  EMAIL_REQUEST_TIMEOUT: Type.String({
    pattern: durationPattern,
    default: '10s',
    description: 'longest time a client of the suppression API may take to send a whole request; slower ones get 408',
  }),
  EMAIL_OPS_HOST: Type.String({ default: '127.0.0.1', description: 'address of the ops listener (/metrics, /livez, /readyz)' }),
  EMAIL_OPS_PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 9193, description: 'ops port, never the public one' }),
  EMAIL_ROUTES_FILE: Type.Optional(
    Type.String({
      minLength: 1,
      description: "JSON: canonical event -> { template, enabled, to } (default: the service folder's routes.json)",
    }),
  ),
  EMAIL_FROM: Type.String({ default: 'Nudj <no-reply@nudj.example>', description: 'From header of every email' }),
  EMAIL_MESSAGE_ID_DOMAIN: Type.String({
    default: 'email.nudj-webhooks.local',
    description: 'right-hand side of Message-IDs (<sha256(webhook id)@domain>)',
  }),
  EMAIL_LIST_UNSUBSCRIBE_MAILTO: Type.String({
    default: 'unsubscribe@nudj.example',
    description: 'mailto address of the List-Unsubscribe header; none for no mailto',
  }),
  EMAIL_LIST_UNSUBSCRIBE_URL: Type.String({
    default: '',
    description: 'https URL of the List-Unsubscribe header (the recipient is appended as ?email=); empty for none (one-click when set)',
  }),
  EMAIL_DEFAULT_LOCALE: Type.String({ default: 'en-GB', description: 'locale of dates and numbers when the contact has none' }),
  EMAIL_MAX_PER_SECOND: Type.Number({
    minimum: 0,
    default: 50,
    description: 'emails sent per second at most by this process, 0 for no limit',
  }),
  EMAIL_SMTP_POOL_SIZE: Type.Integer({ minimum: 1, default: 5, description: 'pooled SMTP connections' }),
  EMAIL_SMTP_TIMEOUT: Type.String({
    pattern: durationPattern,
    default: '10s',
    description: 'SMTP connection, greeting and socket timeout',
  }),
  EMAIL_CONTACT_CACHE_SIZE: Type.Integer({ minimum: 1, default: 10_000, description: 'contacts kept in the in-memory LRU cache' }),
  EMAIL_CONTACT_CACHE_TTL: Type.String({ pattern: durationPattern, default: '5m', description: 'how long a cached contact is trusted' }),
  EMAIL_RECIPIENT_WAIT: Type.String({
    pattern: durationPattern,
    default: '15m',
    description: "how long a routed event waits for its user's address (a user event may arrive later); then no_recipient",
  }),
  ...secretEnv('EMAIL_ADMIN_TOKEN', 'optional: bearer token of the suppression API (at least 16 bytes); unset: the API refuses everything'),
  EMAIL_RETRY_SCHEDULE: Type.Optional(
    Type.String({ description: "delays of the retry tiers, then the DLQ (e.g. 30s,5m,30m); default: group email's in TOPOLOGY_FILE" }),
  ),
  SMTP_URL: Type.String({
    minLength: 1,
    writeOnly: true, // it may carry a password: never quoted in a config error
    description: 'smtp://[user:pass@]host:port (STARTTLS when offered) or smtps:// (TLS from the start)',
  }),
  SMTP_REQUIRE_TLS: Type.Boolean({ default: false, description: 'refuse to send unless STARTTLS succeeds' }),
  SMTP_TLS_REJECT_UNAUTHORIZED: Type.Boolean({ default: true, description: 'verify the SMTP server certificate' }),
  SMTP_TLS_SERVERNAME: Type.Optional(Type.String({ description: 'optional: TLS server name when it differs from the SMTP host' })),
  ...sharedServiceEnv('email'),
  ...consumerGroupEnv('email'),
  DATABASE_URL: Type.String({ minLength: 1, writeOnly: true, description: 'Postgres: ledger, send ledger, contacts, suppressions' }),
})

export type EmailEnv = Static<typeof schema>

export type EmailConfig = Omit<
  EmailEnv,
  'KAFKA_BROKERS' | 'EMAIL_ROUTES_FILE' | 'EMAIL_ADMIN_TOKEN' | 'EMAIL_ADMIN_TOKEN_FILE' | 'EMAIL_RETRY_SCHEDULE'
> & {
  brokers: string[]
  adminToken?: string
  EMAIL_ROUTES_FILE: string
  routes: Routes
  /** The group's topics (TOPOLOGY_FILE, under KAFKA_TOPIC_PREFIX). */
  topics: string[]
  retrySchedule: number[]
  handlerTimeoutMs: number
  statementTimeoutMs: number
  requestTimeoutMs: number
  sessionTimeoutMs: number
  smtpTimeoutMs: number
  contactCacheTtlMs: number
  recipientWaitMs: number
  shutdownTimeoutMs: number
}

/** Loads and checks everything at once; throws a ConfigError listing every problem. */
export function loadEmailConfig(env: Record<string, string | undefined> = process.env): EmailConfig {
  const problems: string[] = []
  const base = collectConfig(schema, env, problems)
  const adminToken = readSecret(env, 'EMAIL_ADMIN_TOKEN', problems)
  const schedule = { name: 'EMAIL_RETRY_SCHEDULE', value: env.EMAIL_RETRY_SCHEDULE }
  const topology = { group: 'email', topicPrefix: base?.KAFKA_TOPIC_PREFIX, override: schedule }
  const group = readGroupTopology(env.TOPOLOGY_FILE ?? defaultTopologyFile, topology, problems)
  // Routes name events of these categories, and user events feed the contact table.
  const unread = [...emailCategories, 'user'].filter((c) => group && !group.topics.some((t) => t.endsWith(`.${c}`)))
  if (unread.length > 0)
    problems.push(`TOPOLOGY_FILE: group email must also read the topic of ${unread.join(', ')} (routes and contacts need it)`)
  const routesFile = base?.EMAIL_ROUTES_FILE ?? env.EMAIL_ROUTES_FILE ?? defaultRoutesFile
  let routes: Routes = new Map()
  try {
    routes = loadRoutes(readJsonFile(routesFile), problems)
  } catch (err) {
    problems.push(`EMAIL_ROUTES_FILE: cannot read ${routesFile} as JSON: ${(err as Error).message}`)
  }
  // Renamed when every consumer took the shared CONSUMER_* settings: refuse them rather than ignore them.
  if (env.EMAIL_HANDLER_TIMEOUT !== undefined) problems.push('EMAIL_HANDLER_TIMEOUT: renamed CONSUMER_HANDLER_TIMEOUT; set that instead')
  if (env.EMAIL_SESSION_TIMEOUT !== undefined) problems.push('EMAIL_SESSION_TIMEOUT: renamed CONSUMER_SESSION_TIMEOUT; set that instead')
  const unsubscribeUrl = env.EMAIL_LIST_UNSUBSCRIBE_URL ?? ''
  if (unsubscribeUrl !== '' && !(URL.canParse(unsubscribeUrl) && unsubscribeUrl.startsWith('https://')))
    problems.push('EMAIL_LIST_UNSUBSCRIBE_URL: must be an https:// URL (or empty)')
  if (problems.length > 0 || !base || !group) throw new ConfigError(problems)
  const { KAFKA_BROKERS, EMAIL_ADMIN_TOKEN: _token, EMAIL_ADMIN_TOKEN_FILE: _file, EMAIL_RETRY_SCHEDULE: _schedule, ...rest } = base
  return {
    ...rest,
    brokers: KAFKA_BROKERS.split(',').map((b) => b.trim()),
    adminToken,
    EMAIL_ROUTES_FILE: routesFile,
    EMAIL_LIST_UNSUBSCRIBE_MAILTO: base.EMAIL_LIST_UNSUBSCRIBE_MAILTO === 'none' ? '' : base.EMAIL_LIST_UNSUBSCRIBE_MAILTO,
    routes,
    ...group,
    handlerTimeoutMs: parseDuration(base.CONSUMER_HANDLER_TIMEOUT),
    statementTimeoutMs: parseDuration(base.POSTGRES_STATEMENT_TIMEOUT),
    requestTimeoutMs: parseDuration(base.EMAIL_REQUEST_TIMEOUT),
    sessionTimeoutMs: parseDuration(base.CONSUMER_SESSION_TIMEOUT),
    smtpTimeoutMs: parseDuration(base.EMAIL_SMTP_TIMEOUT),
    contactCacheTtlMs: parseDuration(base.EMAIL_CONTACT_CACHE_TTL),
    recipientWaitMs: parseDuration(base.EMAIL_RECIPIENT_WAIT),
    shutdownTimeoutMs: parseDuration(base.SHUTDOWN_TIMEOUT),
  }
}

export { schema as emailEnvSchema }
