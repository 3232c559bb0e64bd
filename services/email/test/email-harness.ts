// The email service in-process on free ports, with topics, a group and a database of its
// own, and the helpers its tests share: produce a Nudj body as ingest would, read metrics.
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry'
import { createEnvelopeCodec, normalizeNudjWebhook, topicForCategory, type WebhookReceived } from '@nudj-webhooks/contracts'
import { createLogger } from '@nudj-webhooks/observability'
import { createFreshDatabase, serviceEnv, uniqueName, type FreshDatabase, type Infra } from '@nudj-webhooks/testing'
import { Kafka, logLevel, type Message } from 'kafkajs'
import pg from 'pg'
import { loadEmailConfig } from '../src/config.ts'
import { startEmail, type RunningEmail } from '../src/start-email.ts'

export const adminToken = 'test-admin-token-0123456789'

export type TestEmail = {
  prefix: string
  group: string
  db: FreshDatabase
  pool: pg.Pool
  current: () => RunningEmail
  restart: () => Promise<void>
  /** One more instance of the same config (topics, group, database): a second replica; the test closes it. */
  startAnother: () => Promise<RunningEmail>
  /** Writes a Nudj body to its category topic, keyed by webhook id, as ingest does. */
  send: (body: Record<string, unknown>, webhookId: string) => Promise<void>
  /** As `send` for many, in this order, through one producer and one request. */
  sendAll: (deliveries: Delivery[]) => Promise<void>
  /** The sum of a metric's samples whose labels contain `labels` (e.g. `outcome="duplicate"`). */
  metric: (name: string, labels?: string) => Promise<number>
  close: () => Promise<void>
}

export type Delivery = { body: Record<string, unknown>; webhookId: string }

export type TestEmailOptions = {
  routes?: unknown
  env?: Record<string, string>
  /** Runs on the fresh database before the service starts (and migrates it), e.g. to leave an older schema's rows. */
  prepare?: (databaseUrl: string) => Promise<void>
}

export async function startTestEmail(infra: Infra, options: TestEmailOptions = {}): Promise<TestEmail> {
  const prefix = uniqueName('email_test')
  const group = uniqueName('email')
  const db = await createFreshDatabase(infra.databaseUrl, 'email')
  await options.prepare?.(db.url)
  const env = serviceEnv('email', infra, {
    topicPrefix: prefix,
    group,
    databaseUrl: db.url,
    partitions: 2,
    retrySchedule: '1s,2s,3s',
    env: {
      CONSUMER_HANDLER_TIMEOUT: '15s',
      EMAIL_SMTP_TIMEOUT: '3s',
      EMAIL_ADMIN_TOKEN: adminToken,
      EMAIL_MAX_PER_SECOND: '0',
      // Short, so an event whose user never registers is decided no_recipient within a test's wait.
      EMAIL_RECIPIENT_WAIT: '3s',
      ...options.env,
    },
  })
  if (options.routes) {
    const file = join(await mkdtemp(join(tmpdir(), 'email-routes-')), 'routes.json')
    await writeFile(file, JSON.stringify(options.routes))
    env.EMAIL_ROUTES_FILE = file
  }
  const config = loadEmailConfig(env)
  const logger = createLogger({ service: 'email', version: 'test', level: 'warn' })
  let running = await startEmail(config, logger)
  const sendAll = createBatchSender(infra, prefix)
  const pool = new pg.Pool({ connectionString: db.url, max: 2 })

  return {
    prefix,
    group,
    db,
    pool,
    current: () => running,
    async restart() {
      await running.close()
      running = await startEmail(config, logger)
    },
    startAnother: async () => await startEmail(config, logger),
    send: async (body, webhookId) => await sendAll([{ body, webhookId }]),
    sendAll,
    async metric(name, labels = '') {
      const text = await (await fetch(`${running.opsAddress}/metrics`)).text()
      let sum = 0
      for (const line of text.split('\n')) {
        if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue
        if (labels && !line.includes(labels)) continue
        sum += Number(line.slice(line.lastIndexOf(' ') + 1))
      }
      return sum
    },
    async close() {
      await running.close()
      await pool.end()
      await db.drop()
    },
  }
}

/** Writes a Nudj body to its category topic under `prefix`, keyed by webhook id, as ingest does. */
export function createSender(infra: Infra, prefix: string): (body: Record<string, unknown>, webhookId: string) => Promise<void> {
  const sendAll = createBatchSender(infra, prefix)
  return async (body, webhookId) => await sendAll([{ body, webhookId }])
}

/** Writes Nudj bodies to their category topics under `prefix`, keyed by webhook id, as ingest does. */
export function createBatchSender(infra: Infra, prefix: string): (deliveries: Delivery[]) => Promise<void> {
  const kafka = new Kafka({ brokers: infra.kafkaBrokers, clientId: 'email-test', logLevel: logLevel.NOTHING })
  const codec = createEnvelopeCodec(new SchemaRegistry({ host: infra.schemaRegistryUrl }))
  const encode = async ({ body, webhookId }: Delivery): Promise<{ topic: string; messages: Message[] }> => {
    const raw = Buffer.from(JSON.stringify(body))
    const headers = { 'x-nudj-delivery-id': webhookId }
    const event = normalizeNudjWebhook(raw, headers)
    const topic = topicForCategory(event.category, prefix)
    const envelope: WebhookReceived = {
      webhookId,
      source: 'test',
      event: event.event,
      canonicalEvent: event.canonical,
      category: event.category,
      generation: event.generation,
      receivedAt: Date.now(),
      authScheme: 'gen2-hmac',
      headers,
      body: raw,
    }
    return { topic, messages: [{ key: webhookId, value: await codec.encode(topic, envelope) }] }
  }
  return async (deliveries) => {
    const topicMessages: { topic: string; messages: Message[] }[] = []
    for (const delivery of deliveries) topicMessages.push(await encode(delivery))
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 5 })
    await producer.connect()
    try {
      await producer.sendBatch({ topicMessages, acks: -1 })
    } finally {
      await producer.disconnect()
    }
  }
}

/** Every message of a Mailpit search (the inbox helper reads only its first page of 50). */
export async function searchAll(apiUrl: string, query: string): Promise<{ ID: string; MessageID: string }[]> {
  const response = await fetch(`${apiUrl}/api/v1/search?limit=5000&query=${encodeURIComponent(query)}`, {
    signal: AbortSignal.timeout(10_000),
  })
  if (!response.ok) throw new Error(`Mailpit answered ${response.status} to a search`)
  return ((await response.json()) as { messages: { ID: string; MessageID: string }[] }).messages
}

/** A gen-2 body as Nudj sends it. */
export function gen2(event: string, data: Record<string, unknown>, timestamp = '2026-03-14T09:26:53.000Z'): Record<string, unknown> {
  return { event, timestamp, data }
}
