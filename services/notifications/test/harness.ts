import { randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import {
  buildGen2Event,
  buildRequest,
  createWorld,
  deliver,
  type DeliveryRequest,
  type Gen2Name,
  type SimUser,
} from '@nudj-webhooks/nudj-sim'
import {
  createFreshDatabase,
  serviceEnv,
  uniqueName,
  type FreshDatabase,
  type Infra,
  type IngestProcess,
  type ServiceEnvOptions,
} from '@nudj-webhooks/testing'
import { createLogger } from '@nudj-webhooks/observability'
import { loadNotificationsConfig } from '../src/config.ts'
import { startNotifications, type RunningNotifications } from '../src/start-notifications.ts'
import { signUserToken } from '../src/user-token.ts'

export const tokenSecret = randomBytes(32).toString('base64url')
export const tokenFor = (userId: string, ttlSeconds = 600): string => signUserToken(Buffer.from(tokenSecret), userId, ttlSeconds)

/** What a notifications process or in-process service is given for one suite, for `serviceEnv` or `startService`. */
export function suiteOptions(suite: Suite, env: Record<string, string> = {}): ServiceEnvOptions {
  return {
    topicPrefix: suite.topicPrefix,
    group: suite.group,
    databaseUrl: suite.database.url,
    partitions: 3,
    retrySchedule: '500ms,1s',
    env: { NOTIFICATIONS_TOKEN_SECRET: tokenSecret, NOTIFICATIONS_HEARTBEAT: '1s', ...env },
  }
}

export type Suite = { topicPrefix: string; group: string; database: FreshDatabase }

export async function createSuite(infra: Infra): Promise<Suite> {
  return {
    topicPrefix: uniqueName('ntf'),
    group: uniqueName('notifications'),
    database: await createFreshDatabase(infra.databaseUrl, 'ntf'),
  }
}

/**
 * The service in this process (the usual way), against the suite's topics and database.
 * `logLines` collects every log line it writes (instead of stdout).
 */
export async function startInProcess(
  infra: Infra,
  suite: Suite,
  extra: Record<string, string> = {},
  logLines?: string[],
): Promise<RunningNotifications> {
  const config = loadNotificationsConfig(serviceEnv('notifications', infra, suiteOptions(suite, extra)))
  const destination = logLines && { write: (line: string) => void logLines.push(line) }
  return await startNotifications(config, createLogger({ service: 'notifications', version: 'test', level: 'warn', destination }))
}

const world = createWorld({ seed: 7, users: 20 })
export const users: SimUser[] = world.users

const sent = new Map<string, DeliveryRequest>()

async function deliverOnce(request: DeliveryRequest): Promise<void> {
  const result = await deliver(request, { policy: { kind: 'fixed', delayMs: 200, maxRetries: 5 }, timeoutMs: 5_000 })
  if (result.outcome !== 'acknowledged') throw new Error(`ingest did not acknowledge: ${JSON.stringify(result.attempts.at(-1))}`)
}

/** Sends one gen-2 event for a user through ingest, as Nudj would; answers its delivery id. */
export async function sendEvent(ingest: IngestProcess, name: Gen2Name, user: SimUser, at = new Date()): Promise<string> {
  const event = buildGen2Event(world, name, { user, at })
  const request = buildRequest({ url: ingest.url, secret: ingest.secret, gen1Headers: {} }, event)
  sent.set(event.deliveryId, request)
  await deliverOnce(request)
  return event.deliveryId
}

/** Nudj's redelivery: the very same request again (same delivery id, body and signature). */
export async function redeliver(deliveryId: string): Promise<void> {
  const request = sent.get(deliveryId)
  if (!request) throw new Error(`never sent ${deliveryId}`)
  await deliverOnce(request)
}

export type ChatRequest = { key: string; body: { text: string }; status: number }

/** A chat webhook receiver on loopback that answers the statuses given, in turn, then 200. */
export async function startChatReceiver(statuses: number[] = []) {
  const requests: ChatRequest[] = []
  const queue = [...statuses]
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const status = queue.shift() ?? 200
      requests.push({
        key: String(req.headers['idempotency-key']),
        body: JSON.parse(Buffer.concat(chunks).toString()) as { text: string },
        status,
      })
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'ok' : 'no')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return { url: `http://127.0.0.1:${port}/hook`, requests, queue, close: async () => await new Promise((resolve) => server.close(resolve)) }
}
