// Starts the real ingest service in-process, on free ports, with topics of its own, and
// reads back what it wrote: the integration tests' view of the service.
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry'
import { createEnvelopeCodec, createRejectionCodec, type WebhookReceived, type WebhookRejected } from '@nudj-webhooks/contracts'
import { createLogger } from '@nudj-webhooks/observability'
import { consumeUntil, serviceEnv, uniqueName, type Infra } from '@nudj-webhooks/testing'
import { Kafka, logLevel } from 'kafkajs'
import { loadIngestConfig } from '../src/config.ts'
import { startIngest, type RunningIngest } from '../src/start-ingest.ts'

export const secrets = {
  current: 'whsec_current-test-secret',
  previous: 'whsec_previous-test-secret',
  gen1: 'gen1-test-token-0123456789',
  standard: 'whsec_c2VjcmV0LWtleS1mb3ItdGVzdHM=',
}

export const defaultSources = {
  defaultSource: 'acme',
  sources: {
    acme: {
      schemes: ['gen2-hmac', 'gen1-static', 'standard-webhooks'],
      gen2Secrets: [
        { id: 'current', env: 'TEST_SECRET_CURRENT' },
        { id: 'previous', env: 'TEST_SECRET_PREVIOUS' },
      ],
      gen1Headers: { Authorization: { env: 'TEST_GEN1_AUTH' }, 'X-Webhook-Source': { value: 'nudj-platform' } },
      standardWebhooks: { secrets: [{ id: 'sw', env: 'TEST_STANDARD_SECRET' }], toleranceSeconds: 300 },
    },
    hmaconly: { schemes: ['gen2-hmac'], gen2Secrets: [{ id: 'current', env: 'TEST_SECRET_CURRENT' }] },
  },
}

export type TestIngest = RunningIngest & {
  prefix: string
  logLines: string[]
  /**
   * Reads a topic (`reward`, `unknown`, ...) from the start, decoded, until it has `until`
   * records or, given a list of keys, until every one of them has arrived.
   */
  read: (
    category: string,
    until: number | string[],
  ) => Promise<{ key: string; envelope: WebhookReceived; headers: Record<string, string> }[]>
  readRejected: (count: number) => Promise<{ key: string; rejection: WebhookRejected }[]>
  /** How many records a topic holds now (its end offsets added up). */
  countRecords: (category: string) => Promise<number>
}

export async function startTestIngest(
  infra: Infra,
  env: Record<string, string> = {},
  sources: unknown = defaultSources,
): Promise<TestIngest> {
  const dir = await mkdtemp(join(tmpdir(), 'ingest-test-'))
  await writeFile(join(dir, 'sources.json'), JSON.stringify(sources))
  const prefix = uniqueName('nudj_webhooks')
  const config = loadIngestConfig(
    serviceEnv('ingest', infra, {
      topicPrefix: prefix,
      partitions: 3,
      env: {
        INGEST_SOURCES_FILE: join(dir, 'sources.json'),
        TEST_SECRET_CURRENT: secrets.current,
        TEST_SECRET_PREVIOUS: secrets.previous,
        TEST_GEN1_AUTH: `Bearer ${secrets.gen1}`,
        TEST_STANDARD_SECRET: secrets.standard,
        // Ingest runs on the test's own event loop here: the load shedder's 250 ms default would
        // answer 503 on any stall of a loaded test machine. Tests of shedding pass their own value.
        INGEST_MAX_EVENT_LOOP_DELAY: '30s',
        // Many tests send refused requests from the one test address; the budget of failed
        // authentications per address has tests of its own, which pass their own value.
        INGEST_AUTH_FAILURES_PER_ADDRESS: '0',
        ...env,
      },
    }),
  )
  const logLines: string[] = []
  const logger = createLogger({
    service: 'ingest',
    version: 'test',
    level: 'debug',
    destination: { write: (line: string) => void logLines.push(line) },
  })
  const running = await startIngest(config, logger)
  const kafka = new Kafka({ brokers: config.brokers, logLevel: logLevel.NOTHING })
  const registry = new SchemaRegistry({ host: infra.schemaRegistryUrl })
  const envelopes = createEnvelopeCodec(registry)
  const rejections = createRejectionCodec(registry)
  const readRaw = async (category: string, until: number | string[]) =>
    await consumeUntil(kafka, {
      topics: [`${prefix}.${category}`],
      groupId: uniqueName('reader'),
      until: (records) => {
        if (typeof until === 'number') return records.length >= until
        const keys = new Set(records.map((r) => r.message.key?.toString()))
        return until.every((key) => keys.has(key))
      },
    })
  const headersOf = (h: Record<string, unknown> | undefined): Record<string, string> =>
    Object.fromEntries(Object.entries(h ?? {}).map(([k, v]) => [k, String(v)]))
  return {
    ...running,
    prefix,
    logLines,
    read: async (category, until) =>
      await Promise.all(
        (await readRaw(category, until)).map(async ({ message }) => ({
          key: message.key?.toString() ?? '',
          envelope: await envelopes.decode(message.value as Buffer),
          headers: headersOf(message.headers),
        })),
      ),
    readRejected: async (count) =>
      await Promise.all(
        (await readRaw('rejected', count)).map(async ({ message }) => ({
          key: message.key?.toString() ?? '',
          rejection: await rejections.decode(message.value as Buffer),
        })),
      ),
    async countRecords(category) {
      const admin = kafka.admin()
      await admin.connect()
      try {
        const offsets = await admin.fetchTopicOffsets(`${prefix}.${category}`)
        return offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0)
      } finally {
        await admin.disconnect()
      }
    },
  }
}
