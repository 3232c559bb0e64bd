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
      'EMAIL_ROUTES_FILE reward.earned: to must be "user" or an email address (got "nobody")',
      expect.stringContaining('points.awarded: not a canonical event of the reward, challenge, achievement, referral categories'),
      'EMAIL_ROUTES_FILE challenge.completed: unknown field extra',
    ])
    expect(routes.size).toBe(0)
  })

  it('refuses a document that is not an object', () => {
    const problems: string[] = []
    loadRoutes([], problems)
    expect(problems).toEqual(['EMAIL_ROUTES_FILE: must be a JSON object keyed by canonical event name'])
  })
})
