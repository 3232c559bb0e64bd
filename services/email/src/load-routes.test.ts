import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { loadRoutes } from './load-routes.ts'

describe('loadRoutes', () => {
  it('reads the built-in routes file without a problem', () => {
    const problems: string[] = []
    const routes = loadRoutes(JSON.parse(readFileSync(new URL('../routes.json', import.meta.url), 'utf8')), problems)
    expect(problems).toEqual([])
    expect(routes.get('reward.earned')).toEqual({ event: 'reward.earned', template: 'reward-earned', enabled: true, to: 'user' })
    expect(routes.get('reward.delivery_failed')?.to).toEqual({ address: 'support@nudj.example' })
  })

  it('lists every problem at once', () => {
    const problems: string[] = []
    const routes = loadRoutes(
      {
        'reward.earned': { template: 'nope', enabled: 'yes', to: 'nobody' },
        'points.awarded': { template: 'reward-earned', enabled: true, to: 'user' },
        'challenge.completed': { template: 'challenge-completed', enabled: false, to: 'user', extra: 1 },
      },
      problems,
    )
    expect(problems).toEqual([
      expect.stringContaining('reward.earned: template must be one of'),
      'EMAIL_ROUTES_FILE reward.earned: enabled must be true or false',
      'EMAIL_ROUTES_FILE reward.earned: to must be "user" or one plain email address (got "nobody")',
      expect.stringContaining('points.awarded: not a canonical event of the reward, challenge, achievement, referral categories'),
      'EMAIL_ROUTES_FILE challenge.completed: unknown field extra',
    ])
    expect(routes.size).toBe(0)
  })

  it('refuses a support address that names more than one mailbox', () => {
    const problems: string[] = []
    const to = (address: string) => ({ template: 'reward-delivery-failed', enabled: true, to: address })
    const routes = loadRoutes(
      { 'reward.delivery_failed': to('support@nudj.example, victim@b.com'), 'reward.delivered': to('Support <support@nudj.example>') },
      problems,
    )
    expect(problems).toEqual([
      'EMAIL_ROUTES_FILE reward.delivery_failed: to must be "user" or one plain email address (got "support@nudj.example, victim@b.com")',
      'EMAIL_ROUTES_FILE reward.delivered: to must be "user" or one plain email address (got "Support <support@nudj.example>")',
    ])
    expect(routes.size).toBe(0)
  })

  it('refuses a document that is not an object', () => {
    const problems: string[] = []
    loadRoutes([], problems)
    expect(problems).toEqual(['EMAIL_ROUTES_FILE: must be a JSON object keyed by canonical event name'])
  })
})
