import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import {
  createFreshDatabase,
  startDisposableKafka,
  startDisposablePostgres,
  startIngestProcess,
  startService,
  type DisposableKafka,
  type FreshDatabase,
  type Infra,
  type IngestProcess,
  type StartedService,
  startDisposableMailpit,
  type DisposableMailpit,
} from '@nudj-webhooks/testing'
import { assertLoopback } from './local-infra.ts'
import { productShedding } from './product-shedding.ts'

export type ConsumerName = 'analytics' | 'email' | 'notifications'
export const consumerNames: ConsumerName[] = ['analytics', 'email', 'notifications']

export type Pipeline = {
  infra: Infra
  topicPrefix: string
  kafka: DisposableKafka
  postgres: { url: string; stop: () => Promise<void>; start: () => Promise<void>; close: () => Promise<void> }
  mailpit: DisposableMailpit
  ingest: IngestProcess
  consumers: Record<ConsumerName, StartedService & { group: string; database: FreshDatabase }>
  /** Bearer token of analytics' query API. */
  analyticsToken: string
  /** The values no log line may hold (labels say what they are). */
  secrets: { label: string; value: string }[]
  emailDomain: string
  /** Stops every process, then the broker, Postgres and Mailpit (deleting their data). */
  close: () => Promise<void>
}

export type PipelineOptions = {
  /** Schema registry (the shared one; the suites never restart it). */
  schemaRegistryUrl: string
  /** Folder for Mailpit's database. */
  dir: string
  partitions: number
  retrySchedule: string
  say: (line: string) => void
  /** Told the cleanup at once, before anything starts (an interrupted run calls it). */
  onCleanup?: (close: () => Promise<void>) => void
}

/**
 * The whole pipeline on loopback, of a suite's own: a disposable Kafka broker and Postgres,
 * a Mailpit keeping every message, ingest and the three consumers as processes (each with
 * its own database and consumer group, default rules and routes, short retry schedules).
 * Each piece started is registered for `close`, also when a later one fails to start.
 */
export async function startPipeline(o: PipelineOptions): Promise<Pipeline> {
  const closers: (() => Promise<unknown>)[] = []
  const close = async (): Promise<void> => {
    for (const c of closers.splice(0).reverse()) await c().catch(() => undefined)
  }
  o.onCleanup?.(close)
  try {
    o.say('starting a disposable Kafka broker and Postgres, and a Mailpit')
    const [kafka, postgres] = await Promise.all([startDisposableKafka(), startDisposablePostgres()])
    closers.push(
      () => kafka.close(),
      () => postgres.close(),
    )
    const mailpit = await startDisposableMailpit({ databaseFile: join(o.dir, 'mailpit.db') })
    closers.push(() => mailpit.stop())
    const infra: Infra = {
      kafkaBrokers: kafka.brokers,
      schemaRegistryUrl: o.schemaRegistryUrl,
      databaseUrl: postgres.url,
      smtpUrl: mailpit.smtpUrl,
      mailApiUrl: mailpit.apiUrl,
    }
    assertLoopback(infra)
    const run = `${Date.now()}`
    const topicPrefix = `bench.pipeline.${run}`
    const emailDomain = `bench-${run}.pipeline.local`
    const tokenSecret = randomBytes(32).toString('base64url')
    const analyticsToken = randomBytes(24).toString('base64url')
    const ingest = await startIngestProcess(infra, topicPrefix, {
      ...productShedding,
      KAFKA_TOPIC_PARTITIONS: String(o.partitions),
      LOG_LEVEL: 'warn',
    })
    closers.push(() => ingest.stop())
    o.say(`ingest up at ${ingest.url}`)
    const consumers = {} as Pipeline['consumers']
    for (const name of consumerNames) {
      const database = await createFreshDatabase(postgres.url, `bench_${name}`)
      const group = `bench-${name}-${run}`
      const service = await startService(name, infra, {
        topicPrefix,
        group,
        databaseUrl: database.url,
        partitions: o.partitions,
        retrySchedule: o.retrySchedule,
        readyTimeoutMs: 120_000,
        env: {
          ...(name === 'email' && { EMAIL_MESSAGE_ID_DOMAIN: emailDomain, EMAIL_MAX_PER_SECOND: '0' }),
          ...(name === 'notifications' && { NOTIFICATIONS_TOKEN_SECRET: tokenSecret }),
          ...(name === 'analytics' && { ANALYTICS_API_TOKENS: analyticsToken }),
        },
      })
      closers.push(() => service.stop())
      consumers[name] = { ...service, group, database }
      o.say(`${name} up (group ${group}, database ${database.name})`)
    }
    const secrets = [
      { label: 'gen-2 secret', value: ingest.secret },
      { label: 'gen-1 bearer token', value: ingest.gen1Token },
      { label: 'notifications token secret', value: tokenSecret },
      { label: 'analytics API token', value: analyticsToken },
    ]
    return { infra, topicPrefix, kafka, postgres, mailpit, ingest, consumers, analyticsToken, secrets, emailDomain, close }
  } catch (error) {
    await close()
    throw error
  }
}
