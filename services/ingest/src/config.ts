import { collectConfig, ConfigError, durationPattern, parseDuration, parseTrustedProxies, sharedServiceEnv } from '@nudj-webhooks/config'
import { Type, type Static } from '@sinclair/typebox'
import { readSources } from './read-sources.ts'
import type { Source } from './source.ts'

// The only file of this service that reads the environment (and the secret files the
// sources file names).

/** What the envelope (Avro fields, selected headers) and a retry or DLQ move's provenance headers add to a body, at most. */
export const envelopeHeadroomBytes = 65_536

const schema = Type.Object({
  INGEST_HOST: Type.String({ default: '0.0.0.0', description: 'address of the public listener' }),
  INGEST_PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 8080, description: 'public port (Nudj delivers here)' }),
  INGEST_OPS_HOST: Type.String({
    default: '127.0.0.1',
    description: 'address of the ops listener (/metrics, /livez, /readyz, /openapi.json)',
  }),
  INGEST_OPS_PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 9090, description: 'ops port, never the public one' }),
  INGEST_TLS_CERT_FILE: Type.Optional(Type.String({ description: 'PEM certificate (chain); reloaded when the file changes' })),
  INGEST_TLS_KEY_FILE: Type.Optional(Type.String({ description: 'PEM private key; reloaded when the file changes' })),
  INGEST_ALLOW_PLAIN_HTTP: Type.Boolean({ default: false, description: 'serve plain HTTP (only behind a TLS-terminating proxy)' }),
  INGEST_SOURCES_FILE: Type.String({
    minLength: 1,
    description: 'JSON file naming each source, its auth schemes and where its secrets are',
  }),
  INGEST_BODY_LIMIT_BYTES: Type.Integer({
    minimum: 1024,
    default: 524_288,
    description: `larger bodies are answered 413; checked at startup to stay ${envelopeHeadroomBytes} bytes below the topics' max.message.bytes`,
  }),
  INGEST_PRODUCE_TIMEOUT: Type.String({
    pattern: durationPattern,
    default: '5s',
    description: 'longest wait for Kafka before answering 503 (Nudj gives up at 10 s)',
  }),
  INGEST_RETRY_AFTER_SECONDS: Type.Integer({ minimum: 1, default: 5, description: 'Retry-After on every 503' }),
  INGEST_REQUEST_TIMEOUT: Type.String({
    pattern: durationPattern,
    default: '15s',
    description: 'longest time a client may take to send a whole request (headers and body); slower ones get 408',
  }),
  INGEST_MAX_EVENT_LOOP_DELAY: Type.String({
    pattern: durationPattern,
    default: '250ms',
    description: 'shed load (503) above this event-loop delay',
  }),
  INGEST_MAX_PENDING_RECORDS: Type.Integer({
    minimum: 1,
    default: 20_000,
    description: 'shed load (503) above this many records waiting for Kafka',
  }),
  INGEST_MAX_PENDING_BYTES: Type.Integer({
    minimum: 1_048_576,
    default: 67_108_864,
    description: 'shed load (503) above this many bytes of records waiting for Kafka',
  }),
  INGEST_RATE_LIMIT_PER_SOURCE: Type.Number({
    minimum: 0,
    default: 0,
    description: 'requests per second per source, 0 for none; excess is answered 503',
  }),
  INGEST_RATE_LIMIT_PER_ADDRESS: Type.Number({
    minimum: 0,
    default: 0,
    description: 'requests per second per client address, 0 for none; excess is answered 503',
  }),
  INGEST_AUDIT_PER_SECOND: Type.Number({
    minimum: 0,
    default: 10,
    description: 'rejected requests recorded on nudj.webhooks.rejected per second per source',
  }),
  INGEST_AUTH_FAILURES_PER_ADDRESS: Type.Number({
    minimum: 0,
    default: 10,
    description:
      'failed authentications per second per client address; past it the address is answered 503 before its body is read; 0 for none',
  }),
  INGEST_TRUSTED_PROXIES: Type.String({
    default: '',
    description:
      'comma-separated addresses or CIDRs (or loopback, linklocal, uniquelocal) whose X-Forwarded-For is believed; none by default',
  }),
  INGEST_REPLAY_TOLERANCE: Type.String({
    pattern: `^(off|0|${durationPattern.slice(1, -1)})$`,
    default: '5m',
    description: "how far a gen-2 body's signed timestamp may be from now (either way); off (or 0) turns the bound off",
  }),
  INGEST_REPLAY_WINDOW_ENTRIES: Type.Integer({
    minimum: 1,
    default: 100_000,
    description: 'signed bodies remembered (for twice the tolerance) to answer a replay under a new delivery id as a duplicate',
  }),
  ...sharedServiceEnv('ingest'),
  KAFKA_LINGER: Type.String({ pattern: durationPattern, default: '2ms', description: 'how long an idle producer waits to fill a batch' }),
  KAFKA_MAX_BATCH_RECORDS: Type.Integer({ minimum: 1, default: 1000, description: 'records per produce request at most' }),
  KAFKA_MAX_BATCH_BYTES: Type.Integer({
    minimum: 1024,
    default: 524_288,
    description: "bytes per produce request at most (a larger record goes alone); checked at startup against the topics' max.message.bytes",
  }),
  KAFKA_PRODUCE_STALL: Type.String({
    pattern: durationPattern,
    default: '30s',
    description: 'a batch unacknowledged this long makes ingest unready and replaces its producer',
  }),
  KAFKA_PRODUCER_DRIVER: Type.Union([Type.Literal('kafkajs'), Type.Literal('platformatic')], {
    default: 'kafkajs',
    description: 'the Kafka client that produces: patched kafkajs or @platformatic/kafka (docs/adr/0002-producer-client.md)',
  }),
  KAFKA_COMPRESSION: Type.Union([Type.Literal('gzip'), Type.Literal('none')], {
    default: 'gzip',
    description: 'compression of produce batches',
  }),
})

export type IngestEnv = Static<typeof schema>

export type IngestConfig = Omit<IngestEnv, 'KAFKA_BROKERS' | 'INGEST_TLS_CERT_FILE' | 'INGEST_TLS_KEY_FILE'> & {
  brokers: string[]
  tls?: { certFile: string; keyFile: string }
  sources: Map<string, Source>
  defaultSource?: string
  trustedProxies: string[]
  /** Undefined when INGEST_REPLAY_TOLERANCE is off. */
  replayToleranceMs?: number
  produceTimeoutMs: number
  requestTimeoutMs: number
  maxEventLoopDelayMs: number
  lingerMs: number
  produceStallMs: number
  shutdownTimeoutMs: number
}

/** Loads and checks everything at once; throws a ConfigError listing every problem. */
export function loadIngestConfig(env: Record<string, string | undefined> = process.env): IngestConfig {
  // Every problem at once: the variables, then TLS and the sources file as far as they can be read.
  const problems: string[] = []
  const base = collectConfig(schema, env, problems)
  if (env.INGEST_ALLOW_PLAIN_HTTP !== 'true' && !(env.INGEST_TLS_CERT_FILE && env.INGEST_TLS_KEY_FILE)) {
    problems.push(
      'INGEST_TLS_CERT_FILE and INGEST_TLS_KEY_FILE: both are required unless INGEST_ALLOW_PLAIN_HTTP=true (behind a TLS proxy)',
    )
  }
  const { sources, defaultSource } = env.INGEST_SOURCES_FILE
    ? readSources(env.INGEST_SOURCES_FILE, env, problems)
    : { sources: new Map<string, Source>(), defaultSource: undefined }
  const trustedProxies = parseTrustedProxies('INGEST_TRUSTED_PROXIES', env.INGEST_TRUSTED_PROXIES ?? '', problems)
  if (problems.length > 0 || !base) throw new ConfigError(problems)
  const { KAFKA_BROKERS, INGEST_TLS_CERT_FILE, INGEST_TLS_KEY_FILE, ...rest } = base
  return {
    ...rest,
    brokers: KAFKA_BROKERS.split(',').map((b) => b.trim()),
    tls: INGEST_TLS_CERT_FILE && INGEST_TLS_KEY_FILE ? { certFile: INGEST_TLS_CERT_FILE, keyFile: INGEST_TLS_KEY_FILE } : undefined,
    sources,
    defaultSource,
    trustedProxies,
    replayToleranceMs: ['off', '0'].includes(base.INGEST_REPLAY_TOLERANCE) ? undefined : parseDuration(base.INGEST_REPLAY_TOLERANCE),
    produceTimeoutMs: parseDuration(base.INGEST_PRODUCE_TIMEOUT),
    requestTimeoutMs: parseDuration(base.INGEST_REQUEST_TIMEOUT),
    maxEventLoopDelayMs: parseDuration(base.INGEST_MAX_EVENT_LOOP_DELAY),
    lingerMs: parseDuration(base.KAFKA_LINGER),
    produceStallMs: parseDuration(base.KAFKA_PRODUCE_STALL),
    shutdownTimeoutMs: parseDuration(base.SHUTDOWN_TIMEOUT),
  }
}

export { schema as ingestEnvSchema }
