import { describe, expect, it } from 'vitest'
import type { WebhookConfig } from './admin-api.ts'
import { planRegistration } from './plan-registration.ts'

const crm: WebhookConfig = { url: 'https://crm.example/h', events: ['a'], httpMethod: 'POST', isEnabled: true, maxRetries: 3, headers: {} }
const ours: WebhookConfig = { url: 'https://ingest.example/nudj', events: ['reward.earned'], secret: 'whsec_1', active: true }

describe('planRegistration', () => {
  it('adds a new url at the end and keeps every other config', () => {
    expect(planRegistration([crm], ours)).toEqual({ change: 'add', configs: [crm, ours] })
  })

  it('sends nothing when the same config is there, whatever fields Nudj added of its own', () => {
    const stored = { ...ours, id: 'cfg_1', createdAt: '2026-01-01T00:00:00Z' } as WebhookConfig
    expect(planRegistration([crm, stored], ours)).toEqual({ change: 'unchanged', configs: [crm, stored] })
  })

  it('replaces only the config with the same url, keeping its own fields and its place', () => {
    const stored = { ...ours, id: 'cfg_1' } as WebhookConfig
    const changed = { ...ours, events: ['reward.earned', 'points.awarded'] }
    expect(planRegistration([stored, crm], changed)).toEqual({
      change: 'replace',
      configs: [{ ...changed, id: 'cfg_1' }, crm],
      existing: stored,
    })
  })

  it('replaces a config of the other generation whole, mixing in none of its fields', () => {
    expect(planRegistration([crm], { ...ours, url: crm.url })).toEqual({
      change: 'replace',
      configs: [{ ...ours, url: crm.url }],
      existing: crm,
    })
  })
})
