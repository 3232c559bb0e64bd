import type { Gen1WebhookConfig, Gen2WebhookConfig, WebhookConfig } from './admin-api.ts'

export type ConfigsValidation = { configs: WebhookConfig[]; problems: [] } | { configs?: undefined; problems: string[] }

/**
 * Checks a PUT /webhooks/configs body, bare array or `{ configs }` (NUDJ-WEBHOOKS.md §2.1),
 * listing every problem at once. A config with a `secret` is gen-2; any other is gen-1, with
 * the documented defaults filled in.
 */
export function validateConfigs(body: unknown): ConfigsValidation {
  const list = Array.isArray(body) ? body : isRecord(body) && Array.isArray(body.configs) ? body.configs : undefined
  if (list === undefined) return { problems: ['the body must be an array of configs or { "configs": [...] }'] }
  const problems: string[] = []
  const configs: WebhookConfig[] = []
  const seen = new Map<string, number>()
  list.forEach((item: unknown, index) => {
    const at = `configs[${index}]`
    if (!isRecord(item)) {
      problems.push(`${at} must be an object`)
      return
    }
    const before = problems.length
    const config = 'secret' in item ? gen2Config(item, at, problems) : gen1Config(item, at, problems)
    if (typeof item.url === 'string') {
      const first = seen.get(item.url)
      if (first !== undefined) problems.push(`${at}.url repeats configs[${first}].url`)
      else seen.set(item.url, index)
    }
    if (problems.length === before) configs.push(config)
  })
  return problems.length === 0 ? { configs, problems: [] } : { problems }
}

function common(item: Record<string, unknown>, at: string, problems: string[]): { url: string; events: string[] } {
  const { url, events } = item
  if (typeof url !== 'string' || url === '') problems.push(`${at}.url is required`)
  else if (!isHttpUrl(url)) problems.push(`${at}.url must be an http(s) URL`)
  if (!Array.isArray(events) || events.length === 0 || !events.every((e) => typeof e === 'string' && e !== '')) {
    problems.push(`${at}.events must be a non-empty array of event names`)
  }
  return { url: url as string, events: events as string[] }
}

function gen2Config(item: Record<string, unknown>, at: string, problems: string[]): Gen2WebhookConfig {
  const { url, events } = common(item, at, problems)
  const { secret, active = true } = item
  if (typeof secret !== 'string' || secret === '') problems.push(`${at}.secret must be a non-empty string`)
  if (typeof active !== 'boolean') problems.push(`${at}.active must be true or false`)
  return { url, events, secret: secret as string, active: active as boolean }
}

function gen1Config(item: Record<string, unknown>, at: string, problems: string[]): Gen1WebhookConfig {
  const { url, events } = common(item, at, problems)
  const { httpMethod = 'POST', isEnabled = true, maxRetries = 3, headers = {}, entityFilters } = item
  if (httpMethod !== 'POST' && httpMethod !== 'PUT') problems.push(`${at}.httpMethod must be POST or PUT`)
  if (typeof isEnabled !== 'boolean') problems.push(`${at}.isEnabled must be true or false`)
  if (typeof maxRetries !== 'number' || !Number.isInteger(maxRetries) || maxRetries < 0) {
    problems.push(`${at}.maxRetries must be a whole number, 0 or more`)
  }
  if (!isRecord(headers) || !Object.values(headers).every((v) => typeof v === 'string')) {
    problems.push(`${at}.headers must map header names to strings`)
  }
  if (entityFilters !== undefined && !(isRecord(entityFilters) && Object.values(entityFilters).every(isStringArray))) {
    problems.push(`${at}.entityFilters must map event names to arrays of ids`)
  }
  const config: Gen1WebhookConfig = {
    url,
    events,
    httpMethod: httpMethod as 'POST' | 'PUT',
    isEnabled: isEnabled as boolean,
    maxRetries: maxRetries as number,
    headers: headers as Record<string, string>,
  }
  return entityFilters === undefined ? config : { ...config, entityFilters: entityFilters as Record<string, string[]> }
}

function isHttpUrl(value: string): boolean {
  const url = URL.parse(value)
  return url !== null && (url.protocol === 'http:' || url.protocol === 'https:')
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string')
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
