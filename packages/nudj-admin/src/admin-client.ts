import { AdminApiError, adminApiErrorCodeFor, adminApiErrorCodes } from './admin-api-error.ts'
import type { AdminAuth, ConfigsBodyShape, LogFilters, WebhookConfig, WebhookLogRecord } from './admin-api.ts'
import { describeFetchError } from './describe-fetch-error.ts'
import { planRegistration } from './plan-registration.ts'

export type AdminClientOptions = {
  /** e.g. `https://sub.nudj.cx/api/v2/admin` */
  baseUrl: string
  token: string
  auth: AdminAuth
  /** Per request; 10 s by default. */
  timeoutMs?: number
}

export type AdminClient = {
  listConfigs(): Promise<WebhookConfig[]>
  putConfigs(configs: WebhookConfig[], options: { bodyShape: ConfigsBodyShape }): Promise<void>
  /** Adds `config`, or replaces the one with the same url, keeping every other config. Answers the list it stored. */
  registerReceiver(config: WebhookConfig, options: { bodyShape: ConfigsBodyShape }): Promise<WebhookConfig[]>
  listLogs(filters?: LogFilters): Promise<WebhookLogRecord[]>
}

/** A client of Nudj's Admin API for webhook configs and logs (NUDJ-WEBHOOKS.md §2). */
export function createAdminClient({ baseUrl, token, auth, timeoutMs = 10_000 }: AdminClientOptions): AdminClient {
  const root = baseUrl.replace(/\/+$/, '')
  const authHeader: Record<string, string> = auth === 'bearer' ? { authorization: `Bearer ${token}` } : { 'x-api-token': token }
  // Whatever the server echoes back, the token never reaches an error message.
  const scrub = (text: string): string => (token === '' ? text : text.replaceAll(token, '***'))

  async function call(method: 'GET' | 'PUT', path: string, body?: unknown): Promise<unknown> {
    const label = `${method} ${path.split('?')[0]}`
    let response: Response
    try {
      response = await fetch(`${root}${path}`, {
        method,
        headers: { ...authHeader, accept: 'application/json', ...(body !== undefined && { 'content-type': 'application/json' }) },
        ...(body !== undefined && { body: JSON.stringify(body) }),
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      })
    } catch (error) {
      throw new AdminApiError(adminApiErrorCodes.unreachable, scrub(`${label} got no answer from ${root}: ${describeFetchError(error)}`), {
        retryable: true,
        cause: error,
      })
    }
    const text = await response.text()
    if (response.status < 200 || response.status >= 300) {
      throw new AdminApiError(adminApiErrorCodeFor(response.status), scrub(`${label} answered ${response.status}: ${errorText(text)}`), {
        status: response.status,
        retryable: response.status >= 500,
      })
    }
    if (text === '') return undefined
    try {
      return JSON.parse(text) as unknown
    } catch (error) {
      throw new AdminApiError(adminApiErrorCodes.badResponse, `${label} answered ${response.status} with a body that is not JSON`, {
        status: response.status,
        retryable: false,
        cause: error,
      })
    }
  }

  // The docs show both a bare array and a wrapped list (NUDJ-WEBHOOKS.md §2.1, §6.1 item 9).
  function listFrom<T>(label: string, body: unknown, keys: string[]): T[] {
    if (Array.isArray(body)) return body as T[]
    if (isRecord(body)) {
      for (const key of keys) if (Array.isArray(body[key])) return body[key] as T[]
    }
    throw new AdminApiError(adminApiErrorCodes.badResponse, `${label} answered neither an array nor { ${keys.join(' | ')}: [...] }`, {
      retryable: false,
    })
  }

  async function listConfigs(): Promise<WebhookConfig[]> {
    return listFrom<WebhookConfig>('GET /webhooks/configs', await call('GET', '/webhooks/configs'), ['configs'])
  }

  async function putConfigs(configs: WebhookConfig[], { bodyShape }: { bodyShape: ConfigsBodyShape }): Promise<void> {
    await call('PUT', '/webhooks/configs', bodyShape === 'array' ? configs : { configs })
  }

  return {
    listConfigs,
    putConfigs,
    async registerReceiver(config, options) {
      // PUT may replace the whole list (undocumented), so merge into what is there.
      const { configs } = planRegistration(await listConfigs(), config)
      await putConfigs(configs, options)
      return configs
    },
    async listLogs(filters = {}) {
      const query = new URLSearchParams()
      for (const [name, value] of Object.entries(filters)) if (value !== undefined) query.set(name, String(value))
      const path = query.size > 0 ? `/webhooks/logs?${query.toString()}` : '/webhooks/logs'
      return listFrom<WebhookLogRecord>('GET /webhooks/logs', await call('GET', path), ['logs', 'data'])
    },
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function errorText(text: string): string {
  try {
    const body = JSON.parse(text) as unknown
    if (isRecord(body)) {
      const error = body.error
      const message =
        typeof body.message === 'string' ? body.message : isRecord(error) && typeof error.message === 'string' ? error.message : error
      const problems = Array.isArray(body.problems) ? `: ${body.problems.map(String).join('; ')}` : ''
      if (typeof message === 'string') return `${message}${problems}`
    }
  } catch {
    // Not JSON: the raw text below says what there is to say.
  }
  return text.slice(0, 200) || '(empty body)'
}
