import { createHash, timingSafeEqual } from 'node:crypto'
import { once } from 'node:events'
import { createServer, STATUS_CODES } from 'node:http'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { isGen2Config, validateConfigs, type WebhookConfig } from '@nudj-webhooks/nudj-admin'
import { deliverToConfig } from './deliver-to-config.ts'
import type { EmittedEvent } from './deliver-to-config.ts'
import { createDeliveryLog, parseLogFilters } from './delivery-log.ts'
import { gen1RetryPolicy, gen2RetryPolicy } from './retry-policy.ts'
import type { RetryPolicy } from './retry-policy.ts'

export type AdminStandInOptions = {
  /** Tokens accepted as `x-api-token` or `Authorization: Bearer`. */
  tokens: string[]
  /** 0 (the default) picks a free port. */
  port?: number
  /** One attempt's timeout; by default Nudj's documented 10 s (gen-1) and 30 s (gen-2). */
  deliveryTimeoutMs?: number
  policies?: { gen1?: RetryPolicy; gen2?: RetryPolicy }
  organisationId?: string
}

export type AdminStandIn = {
  /** `http://127.0.0.1:<port>/api/v2/admin` */
  url: string
  configs(): WebhookConfig[]
  /** How many PUT /webhooks/configs it accepted. */
  puts(): number
  /** Delivers the event to every enabled config subscribed to it; resolves when every delivery has finished. */
  emit(event: EmittedEvent): Promise<void>
  close(): Promise<void>
}

const basePath = '/api/v2/admin'
const maxBodyBytes = 1024 * 1024

/** A local stand-in of Nudj's Admin API for webhooks (NUDJ-WEBHOOKS.md §2) that also sends the deliveries. */
export async function createAdminStandIn(options: AdminStandInOptions): Promise<AdminStandIn> {
  if (options.tokens.length === 0 || options.tokens.some((t) => t === '')) {
    throw new Error('the admin stand-in needs at least one non-empty token')
  }
  const tokenDigests = options.tokens.map(digest)
  let configs: WebhookConfig[] = []
  let puts = 0
  const log = createDeliveryLog()
  const stopping = new AbortController()
  const inFlight = new Set<Promise<unknown>>()

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendError(res, 500, String(error))
      else res.destroy()
    })
  })

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { pathname, searchParams } = new URL(req.url ?? '/', 'http://stand-in')
    if (!pathname.startsWith(`${basePath}/`)) return sendError(res, 404, 'no such route')
    if (!isAuthorised(req)) {
      return sendError(res, 401, 'missing or invalid token (x-api-token or Authorization: Bearer)')
    }
    const route = pathname.slice(basePath.length)
    if (route === '/webhooks/configs' && req.method === 'GET') return send(res, 200, { configs })
    if (route === '/webhooks/configs' && req.method === 'PUT') {
      const body = await readJson(req)
      if (body.problem !== undefined) return sendError(res, body.status, body.problem)
      const result = validateConfigs(body.value)
      if (result.configs === undefined) return sendError(res, 400, 'invalid webhook configs', result.problems)
      configs = result.configs
      puts += 1
      return send(res, 200, { configs })
    }
    if (route === '/webhooks/logs' && req.method === 'GET') {
      const { filters, problems } = parseLogFilters(searchParams)
      if (problems.length > 0) return sendError(res, 400, 'invalid log filters', problems)
      return send(res, 200, { logs: log.query(filters) })
    }
    if (route === '/webhooks/configs' || route === '/webhooks/logs') {
      res.setHeader('allow', route === '/webhooks/configs' ? 'GET, PUT' : 'GET')
      return sendError(res, 405, `${req.method} is not allowed on ${route}`)
    }
    return sendError(res, 404, 'no such route')
  }

  // Either header carries the token (NUDJ-WEBHOOKS.md §2): `x-api-token` with an optional
  // `Bearer ` prefix, or `Authorization: Bearer`. Node lowercases header names.
  function isAuthorised(req: IncomingMessage): boolean {
    const apiToken = req.headers['x-api-token']
    const bearer = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1]
    const candidates = [typeof apiToken === 'string' ? apiToken.replace(/^Bearer\s+/i, '') : undefined, bearer]
    return candidates.some((c) => c !== undefined && isKnownToken(c.trim()))
  }

  function isKnownToken(candidate: string): boolean {
    const d = digest(candidate)
    // Every token is compared, so the time taken says nothing about which one nearly matched.
    return tokenDigests.map((t) => timingSafeEqual(t, d)).includes(true)
  }

  server.listen(options.port ?? 0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  const deliveryOptions = {
    log,
    policies: { gen1: options.policies?.gen1 ?? gen1RetryPolicy, gen2: options.policies?.gen2 ?? gen2RetryPolicy },
    timeoutMs: { gen1: options.deliveryTimeoutMs ?? 10_000, gen2: options.deliveryTimeoutMs ?? 30_000 },
    organisationId: options.organisationId ?? '5f7d1e2a0000000000000001',
    signal: stopping.signal,
  }

  return {
    url: `http://127.0.0.1:${port}${basePath}`,
    configs: () => structuredClone(configs),
    puts: () => puts,
    async emit(event) {
      if (stopping.signal.aborted) throw new Error('the admin stand-in is closed')
      const targets = configs.filter((c) => (isGen2Config(c) ? c.active : c.isEnabled) && c.events.includes(event.name))
      const deliveries = Promise.all(targets.map((config) => deliverToConfig(config, event, deliveryOptions)))
      inFlight.add(deliveries)
      try {
        await deliveries
      } finally {
        inFlight.delete(deliveries)
      }
    },
    async close() {
      stopping.abort()
      await Promise.allSettled(inFlight)
      server.closeAllConnections()
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())))
    },
  }
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest()
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body))
}

// Fastify's error shape, plus every problem found when there are several.
function sendError(res: ServerResponse, status: number, message: string, problems?: string[]): void {
  send(res, status, { statusCode: status, error: STATUS_CODES[status], message, ...(problems && { problems }) })
}

async function readJson(req: IncomingMessage): Promise<{ value: unknown; problem?: undefined } | { problem: string; status: 400 | 413 }> {
  const chunks: Buffer[] = []
  let size = 0
  // Reading on past the limit (and dropping it) lets the 413 reach the client over an intact socket.
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size <= maxBodyBytes) chunks.push(chunk)
  }
  if (size > maxBodyBytes) return { problem: `the body is larger than ${maxBodyBytes} bytes`, status: 413 }
  try {
    return { value: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown }
  } catch {
    return { problem: 'the body is not valid JSON', status: 400 }
  }
}
