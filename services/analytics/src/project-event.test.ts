import { readFileSync } from 'node:fs'
import { normalizeNudjWebhook } from '@nudj-webhooks/contracts'
import { describe, expect, it } from 'vitest'
import { pointsOf, projectEvent, type AnalyticsEvent } from './project-event.ts'

const fixtures = new URL('../../../packages/contracts/fixtures/', import.meta.url)

function fixture(path: string, change: (body: Record<string, unknown>) => void = () => undefined): AnalyticsEvent {
  const { headers, body } = JSON.parse(readFileSync(new URL(path, fixtures), 'utf8')) as {
    headers: Record<string, string>
    body: Record<string, unknown>
  }
  change(body)
  return { event: normalizeNudjWebhook(JSON.stringify(body), headers), receivedAt: Date.parse('2026-05-01T00:00:00Z') }
}

describe('projectEvent', () => {
  it('reads a signed points transaction from gen-2 points.awarded', () => {
    const facts = projectEvent(fixture('gen2/points.awarded.json'))
    expect(facts).toMatchObject({ at: '2026-04-17T14:30:00.000Z', eventType: 'points.awarded', points: -50 })
    expect(facts.user).toMatchObject({ id: 'user_xyz789', netPoints: -50, rewardsEarned: 0 })
  })

  it('gives both generations the same canonical facts', () => {
    const gen1 = projectEvent(fixture('gen1/challenge-completion.json'))
    const gen2 = projectEvent(fixture('gen2/challenge.completed.json'))
    for (const facts of [gen1, gen2]) {
      expect(facts.eventType).toBe('challenge.completed')
      expect(facts.challenge).toMatchObject({ started: 0, completed: 1 })
      expect(facts.user).toMatchObject({ challengesCompleted: 1, challengesStarted: 0 })
    }
    expect(gen1.challenge?.id).toBe('65a0b1c2d3e4f5a6b7c8d9e0')
  })

  it('counts gen-1 reward-distribution as reward.earned with its points', () => {
    const facts = projectEvent(fixture('gen1/reward-distribution.json'))
    expect(facts).toMatchObject({ eventType: 'reward.earned', points: 100 })
    expect(facts.reward).toMatchObject({ id: '66b1c2d3e4f5a6b7c8d9e0f1', earned: 1, delivered: 0 })
    expect(facts.user).toMatchObject({ rewardsEarned: 1, netPoints: 100 })
  })

  it('debits the points of a gen-1 shop purchase', () => {
    expect(projectEvent(fixture('gen1/shop-purchase.json'))).toMatchObject({ eventType: 'shop.purchased', points: -250 })
  })

  it('follows a reward through its lifecycle', () => {
    expect(projectEvent(fixture('gen2/reward.delivery_failed.json')).reward).toMatchObject({
      id: 'reward_abc123',
      deliveryFailed: 1,
      earned: 0,
    })
    expect(projectEvent(fixture('gen1/reward-claim.json')).reward).toMatchObject({ claimed: 1 })
    expect(projectEvent(fixture('gen2/reward.earned.json')).points).toBeUndefined()
  })

  it('reads both sides of a referral', () => {
    expect(projectEvent(fixture('gen2/referral.referrer_credited.json')).referral).toEqual({
      id: 'ref_1',
      referrerId: 'user_xyz789',
      refereeId: 'user_new1',
      side: 'referrer',
    })
  })

  it('counts an unknown event by its name and category only', () => {
    const facts = projectEvent(fixture('gen2/user.registered.json', (b) => (b.event = 'loyalty.tier_changed')))
    expect(facts).toEqual({
      at: '2026-04-17T14:30:00.000Z',
      eventType: 'unknown',
      unknown: { name: 'loyalty.tier_changed', category: 'unknown' },
    })
  })

  it('falls back to the time ingest received an event without its own', () => {
    const facts = projectEvent(fixture('gen2/points.awarded.json', (b) => delete b.timestamp))
    expect(facts.at).toBe('2026-05-01T00:00:00.000Z')
  })

  it('ignores points that are not integers', () => {
    const event = fixture('gen2/points.awarded.json', (b) => ((b.data as { points: { amount: unknown } }).points.amount = '50')).event
    expect(pointsOf(event)).toBeUndefined()
  })
})
