import { isDeepStrictEqual } from 'node:util'
import { isGen2Config, type WebhookConfig } from './admin-api.ts'

export type RegistrationPlan =
  { change: 'add' | 'unchanged'; configs: WebhookConfig[] } | { change: 'replace'; configs: WebhookConfig[]; existing: WebhookConfig }

/**
 * The whole list to PUT when `config` is registered: every other config kept as it is, the
 * one with the same url replaced, or `config` added at the end. Nudj's PUT may replace the
 * organisation's whole list, so the list always comes from what is there.
 */
export function planRegistration(existing: WebhookConfig[], config: WebhookConfig): RegistrationPlan {
  const current = existing.find((c) => c.url === config.url)
  if (current === undefined) return { change: 'add', configs: [...existing, config] }
  // Fields Nudj adds of its own (an id, timestamps) are neither compared nor dropped.
  const fields = Object.entries(config) as [keyof WebhookConfig, unknown][]
  if (fields.every(([name, value]) => isDeepStrictEqual(current[name], value))) return { change: 'unchanged', configs: existing }
  // A config of the other generation keeps nothing of the old one (its secret or static headers would mix in).
  const replaced = isGen2Config(current) === isGen2Config(config) ? { ...current, ...config } : config
  return { change: 'replace', configs: existing.map((c) => (c === current ? replaced : c)), existing: current }
}
