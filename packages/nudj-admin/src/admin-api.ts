// The shapes of Nudj's Admin API for webhooks (NUDJ-WEBHOOKS.md §2). The reference pages with
// the exact schemas are not available, so these follow the guides' examples.

/** Gen-1 config (§2.1): static headers, configurable method and retry count. */
export type Gen1WebhookConfig = {
  url: string
  events: string[]
  httpMethod: 'POST' | 'PUT'
  isEnabled: boolean
  maxRetries: number
  headers: Record<string, string>
  /** Event name → entity ids that event is limited to. */
  entityFilters?: Record<string, string[]>
}

/** Gen-2 config (§2.2): the `secret` keys the `X-Nudj-Signature` HMAC. */
export type Gen2WebhookConfig = {
  url: string
  events: string[]
  secret: string
  active: boolean
}

export type WebhookConfig = Gen1WebhookConfig | Gen2WebhookConfig

export function isGen2Config(config: WebhookConfig): config is Gen2WebhookConfig {
  return 'secret' in config
}

/** Gen-1 log record (§2.3): one per attempt, secret header values redacted. */
export type Gen1LogRecord = {
  id: string
  webhookConfigId: string
  organisationId: string
  eventSubCategory: string
  url: string
  httpMethod: 'POST' | 'PUT'
  requestHeaders: Record<string, string>
  requestBody: unknown
  responseStatus?: number
  responseHeaders?: Record<string, string>
  responseBody?: string
  attempt: number
  success: boolean
  errorMessage?: string
  createdAt: string
}

export type Gen2DeliveryStatus = 'pending' | 'delivered' | 'retrying' | 'failed'

/** Gen-2 log record (§2.4): one per delivery, updated on every attempt. */
export type Gen2LogRecord = {
  /** Equals the `X-Nudj-Delivery-Id` header, stable across retries. */
  deliveryId: string
  webhookConfigId: string
  event: string
  url: string
  status: Gen2DeliveryStatus
  attempts: number
  lastAttemptAt: string
  /** Set only while retrying. */
  nextAttemptAt?: string
  responseStatus?: number
  responseBody?: string
  /** Why no response was received. */
  error?: string
}

export type WebhookLogRecord = Gen1LogRecord | Gen2LogRecord

/** Log filters; each applies to the records that carry the field (gen-1 or gen-2 names). */
export type LogFilters = {
  event?: string
  eventSubCategory?: string
  status?: Gen2DeliveryStatus
  success?: boolean
  webhookConfigId?: string
  /** ISO timestamps, inclusive. */
  since?: string
  until?: string
  limit?: number
}

/** The two PUT bodies the docs show: a bare array, or `{ configs: [...] }` (§2.1). */
export type ConfigsBodyShape = 'array' | 'wrapped'

/** `x-api-token: <token>` (the legacy alias) or `Authorization: Bearer <token>` (§2). */
export type AdminAuth = 'x-api-token' | 'bearer'
