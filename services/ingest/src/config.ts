import { createSecretKey } from 'node:crypto'
import { readFileSync } from 'node:fs'
import {
  ConfigError,
  durationPattern,
  loadConfig,
  parseDuration,
  readJsonFile,
  secretProblem,
  sharedServiceEnv,
} from '@nudj-webhooks/config'
import { Type, type Static } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'
import type { AuthScheme, Source } from './source.ts'

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
  produceTimeoutMs: number
  requestTimeoutMs: number
  maxEventLoopDelayMs: number
  lingerMs: number
  produceStallMs: number
  shutdownTimeoutMs: number
}

const secretRef = Type.Union([Type.Object({ env: Type.String({ minLength: 1 }) }), Type.Object({ file: Type.String({ minLength: 1 }) })])
type SecretRef = Static<typeof secretRef>
const sourcesSchema = Type.Object({
  defaultSource: Type.Optional(Type.String()),
  sources: Type.Record(
    Type.String({ pattern: '^[a-z0-9][a-z0-9_-]{0,62}$' }),
    Type.Object({
      schemes: Type.Array(Type.Union([Type.Literal('gen2-hmac'), Type.Literal('gen1-static'), Type.Literal('standard-webhooks')]), {
        minItems: 1,
      }),
      gen2Secrets: Type.Optional(Type.Array(Type.Intersect([Type.Object({ id: Type.String({ minLength: 1 }) }), secretRef]))),
      gen1Headers: Type.Optional(
        Type.Record(Type.String({ minLength: 1 }), Type.Union([secretRef, Type.Object({ value: Type.String({ minLength: 1 }) })])),
      ),
      standardWebhooks: Type.Optional(
        Type.Object({
          secrets: Type.Array(Type.Intersect([Type.Object({ id: Type.String({ minLength: 1 }) }), secretRef]), { minItems: 1 }),
          toleranceSeconds: Type.Optional(Type.Integer({ minimum: 1 })),
        }),
      ),
    }),
    // Names outside the pattern are refused rather than silently ignored.
    { additionalProperties: false },
  ),
})

/** Loads and checks everything at once; throws a ConfigError listing every problem. */
export function loadIngestConfig(env: Record<string, string | undefined> = process.env): IngestConfig {
  // Every problem at once: the variables, then TLS and the sources file as far as they can be read.
  const problems: string[] = []
  let base: IngestEnv | undefined
  try {
    base = loadConfig(schema, env)
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err
    problems.push(...err.problems)
  }
  if (env.INGEST_ALLOW_PLAIN_HTTP !== 'true' && !(env.INGEST_TLS_CERT_FILE && env.INGEST_TLS_KEY_FILE)) {
    problems.push(
      'INGEST_TLS_CERT_FILE and INGEST_TLS_KEY_FILE: both are required unless INGEST_ALLOW_PLAIN_HTTP=true (behind a TLS proxy)',
    )
  }
  const { sources, defaultSource } = env.INGEST_SOURCES_FILE
    ? readSources(env.INGEST_SOURCES_FILE, env, problems)
    : { sources: new Map<string, Source>(), defaultSource: undefined }
  if (problems.length > 0 || !base) throw new ConfigError(problems)
  const { KAFKA_BROKERS, INGEST_TLS_CERT_FILE, INGEST_TLS_KEY_FILE, ...rest } = base
  return {
    ...rest,
    brokers: KAFKA_BROKERS.split(',').map((b) => b.trim()),
    tls: INGEST_TLS_CERT_FILE && INGEST_TLS_KEY_FILE ? { certFile: INGEST_TLS_CERT_FILE, keyFile: INGEST_TLS_KEY_FILE } : undefined,
    sources,
    defaultSource,
    produceTimeoutMs: parseDuration(base.INGEST_PRODUCE_TIMEOUT),
    requestTimeoutMs: parseDuration(base.INGEST_REQUEST_TIMEOUT),
    maxEventLoopDelayMs: parseDuration(base.INGEST_MAX_EVENT_LOOP_DELAY),
    lingerMs: parseDuration(base.KAFKA_LINGER),
    produceStallMs: parseDuration(base.KAFKA_PRODUCE_STALL),
    shutdownTimeoutMs: parseDuration(base.SHUTDOWN_TIMEOUT),
  }
}

// Literal values are for harmless headers such as X-Webhook-Source; anything that looks
// like a credential must come from the environment or a file.
const credentialHeader = /authorization|key|token|secret|signature|password/i

// What each kind of secret holds to the rule (minSecretBytes): its material, without the parts
// anyone can guess. A gen-2 key is the whole string (NUDJ-WEBHOOKS.md 1.1), but `whsec_` is
// no secret; in `Authorization: Bearer <token>` the token is; a Standard Webhooks key is the
// base64-decoded bytes.
const gen2Material = (text: string): Buffer => Buffer.from(text.replace(/^whsec_/, ''))
const authorizationMaterial = (text: string): Buffer => Buffer.from(text.replace(/^[A-Za-z]+ +/, ''))
const plainMaterial = (text: string): Buffer => Buffer.from(text)
const standardKey = (text: string): Buffer => Buffer.from(text.startsWith('whsec_') ? text.slice(6) : text, 'base64')

function readSources(
  file: string,
  env: Record<string, string | undefined>,
  problems: string[],
): { sources: Map<string, Source>; defaultSource?: string } {
  const sources = new Map<string, Source>()
  let parsed: unknown
  try {
    parsed = readJsonFile(file)
  } catch (err) {
    problems.push(`INGEST_SOURCES_FILE: cannot read ${file} as JSON: ${(err as Error).message}`)
    return { sources }
  }
  const errors = [...Value.Errors(sourcesSchema, parsed)]
  if (errors.length > 0) {
    for (const e of errors.slice(0, 10)) problems.push(`INGEST_SOURCES_FILE ${e.path || '/'}: ${e.message}`)
    return { sources }
  }
  const doc = parsed as Static<typeof sourcesSchema>
  // Every secret is trimmed and held to the one rule (packages/config read-secret.ts); problems
  // name the source, the secret and where it is, never the value.
  const secret = (where: string, ref: SecretRef, material = plainMaterial): string => {
    let text: string
    if ('env' in ref) {
      if (!env[ref.env]) {
        problems.push(`${where}: environment variable ${ref.env} is not set`)
        return ''
      }
      text = (env[ref.env] as string).trim()
    } else {
      try {
        text = readFileSync(ref.file, 'utf8').trim()
      } catch (err) {
        problems.push(`${where}: cannot read secret file ${ref.file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`)
        return ''
      }
    }
    const problem = secretProblem(material(text))
    if (problem) problems.push(`${where}: the secret in ${'env' in ref ? ref.env : ref.file} ${problem}`)
    return text
  }
  for (const [name, s] of Object.entries(doc.sources)) {
    const where = `source ${name}`
    const schemes = new Set<AuthScheme>(s.schemes)
    const gen2Secrets = (s.gen2Secrets ?? []).map((ref) => ({
      id: ref.id,
      key: createSecretKey(Buffer.from(secret(`${where} gen2Secrets ${ref.id}`, ref, gen2Material))),
    }))
    const gen1Headers = Object.entries(s.gen1Headers ?? {}).map(([header, ref]) => {
      if ('value' in ref) {
        if (credentialHeader.test(header))
          problems.push(`${where} gen1Headers ${header}: give a credential as {"env": ...} or {"file": ...}, never inline`)
        return { name: header.toLowerCase(), value: Buffer.from(ref.value), secret: false }
      }
      const material = header.toLowerCase() === 'authorization' ? authorizationMaterial : plainMaterial
      return { name: header.toLowerCase(), value: Buffer.from(secret(`${where} gen1Headers ${header}`, ref, material)), secret: true }
    })
    const standardSecrets = (s.standardWebhooks?.secrets ?? []).map((ref) => ({
      id: ref.id,
      key: createSecretKey(standardKey(secret(`${where} standardWebhooks ${ref.id}`, ref, standardKey))),
    }))
    if (schemes.has('gen2-hmac') && gen2Secrets.length === 0) problems.push(`${where}: gen2-hmac needs at least one of gen2Secrets`)
    // X-Webhook-Source alone is public (it is in Nudj's docs): gen-1 needs a header that is a secret.
    if (schemes.has('gen1-static') && !gen1Headers.some((h) => h.secret))
      problems.push(`${where}: gen1-static needs a secret header in gen1Headers (e.g. Authorization from {"env": ...} or {"file": ...})`)
    if (schemes.has('standard-webhooks') && standardSecrets.length === 0)
      problems.push(`${where}: standard-webhooks needs standardWebhooks.secrets`)
    sources.set(name, {
      name,
      schemes,
      gen2Secrets,
      gen1Headers,
      standardWebhooks: { secrets: standardSecrets, toleranceSeconds: s.standardWebhooks?.toleranceSeconds ?? 300 },
    })
  }
  if (doc.defaultSource !== undefined && !sources.has(doc.defaultSource))
    problems.push(`INGEST_SOURCES_FILE: defaultSource ${doc.defaultSource} is not one of the sources`)
  return { sources, defaultSource: doc.defaultSource }
}

export { schema as ingestEnvSchema }
