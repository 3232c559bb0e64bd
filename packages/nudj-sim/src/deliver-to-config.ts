import { createHash, randomBytes } from 'node:crypto'
import { STATUS_CODES } from 'node:http'
import { isGen2Config, redactHeaders, type Gen1WebhookConfig, type Gen2WebhookConfig, type WebhookConfig } from '@nudj-webhooks/nudj-admin'
import { deliver } from './deliver.ts'
import type { AttemptRecord, DeliveryResult } from './deliver.ts'
import type { DeliveryLog } from './delivery-log.ts'
import type { RetryPolicy } from './retry-policy.ts'
import { gen1Headers, gen2Headers } from './sign-delivery.ts'

export type EmittedEvent = { name: string; body: Buffer; deliveryId: string }

export type DeliverToConfigOptions = {
  log: DeliveryLog
  policies: { gen1: RetryPolicy; gen2: RetryPolicy }
  timeoutMs: { gen1: number; gen2: number }
  organisationId: string
  signal: AbortSignal
}

/** Delivers one event to one config as Nudj would, writing that generation's log records. */
export async function deliverToConfig(
  config: WebhookConfig,
  event: EmittedEvent,
  options: DeliverToConfigOptions,
): Promise<DeliveryResult> {
  return isGen2Config(config) ? await deliverGen2(config, event, options) : await deliverGen1(config, event, options)
}

/** Nudj does not document how a config's id is returned (§6); one derived from the url stays stable across PUTs. */
export function webhookConfigIdFor(url: string): string {
  return createHash('sha256').update(url).digest('hex').slice(0, 24)
}

async function deliverGen2(config: Gen2WebhookConfig, event: EmittedEvent, options: DeliverToConfigOptions): Promise<DeliveryResult> {
  const webhookConfigId = webhookConfigIdFor(config.url)
  const headers = gen2Headers({ body: event.body, secret: config.secret, event: event.name, deliveryId: event.deliveryId })
  return await deliver(
    { url: config.url, method: 'POST', headers, body: event.body },
    {
      policy: options.policies.gen2,
      timeoutMs: options.timeoutMs.gen2,
      signal: options.signal,
      onAttempt(attempt, nextDelayMs) {
        const succeeded = attempt.status !== undefined && attempt.status >= 200 && attempt.status < 300
        options.log.upsert({
          deliveryId: event.deliveryId,
          webhookConfigId,
          event: event.name,
          url: config.url,
          status: succeeded ? 'delivered' : nextDelayMs === undefined ? 'failed' : 'retrying',
          attempts: attempt.attempt,
          lastAttemptAt: attempt.startedAt,
          ...(nextDelayMs !== undefined && { nextAttemptAt: new Date(Date.now() + nextDelayMs).toISOString() }),
          ...(attempt.status !== undefined && { responseStatus: attempt.status }),
          ...(attempt.responseBody !== undefined && { responseBody: attempt.responseBody }),
          ...(attempt.error !== undefined && { error: attempt.error }),
        })
      },
    },
  )
}

async function deliverGen1(config: Gen1WebhookConfig, event: EmittedEvent, options: DeliverToConfigOptions): Promise<DeliveryResult> {
  const webhookConfigId = webhookConfigIdFor(config.url)
  const requestHeaders = redactHeaders(config.headers)
  const requestBody = parseBody(event.body)
  return await deliver(
    { url: config.url, method: config.httpMethod, headers: gen1Headers(config.headers), body: event.body },
    {
      // The delay comes from the gen-1 policy, the number of retries from the config itself.
      policy: { ...options.policies.gen1, maxRetries: config.maxRetries },
      timeoutMs: options.timeoutMs.gen1,
      signal: options.signal,
      onAttempt(attempt) {
        const success = attempt.status !== undefined && attempt.status >= 200 && attempt.status < 300
        options.log.append({
          id: randomBytes(12).toString('hex'),
          webhookConfigId,
          organisationId: options.organisationId,
          eventSubCategory: event.name,
          url: config.url,
          httpMethod: config.httpMethod,
          requestHeaders,
          requestBody,
          ...(attempt.status !== undefined && { responseStatus: attempt.status }),
          ...(attempt.responseHeaders !== undefined && { responseHeaders: attempt.responseHeaders }),
          ...(attempt.responseBody !== undefined && { responseBody: attempt.responseBody }),
          attempt: attempt.attempt,
          success,
          ...(!success && { errorMessage: errorMessageOf(attempt) }),
          createdAt: attempt.startedAt,
        })
      },
    },
  )
}

// The shape of the docs' example: "HTTP 500: Internal Server Error" (NUDJ-WEBHOOKS.md §2.3).
function errorMessageOf(attempt: AttemptRecord): string {
  if (attempt.error !== undefined) return attempt.error
  return `HTTP ${attempt.status}: ${STATUS_CODES[attempt.status ?? 0] ?? 'Unknown Status'}`
}

function parseBody(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8')) as unknown
  } catch {
    return body.toString('utf8')
  }
}
