import { describe, expect, it } from 'vitest'
import { addFacts, emptyDeltas, sortedRows, type Deltas } from './aggregate-facts.ts'
import type { Facts } from './project-event.ts'

const user = (id: string, extra: Partial<NonNullable<Facts['user']>> = {}): NonNullable<Facts['user']> => ({
  id,
  netPoints: 0,
  rewardsEarned: 0,
  rewardsClaimed: 0,
  rewardsRedeemed: 0,
  challengesStarted: 0,
  challengesCompleted: 0,
  achievements: 0,
  ...extra,
})

const stream: Facts[] = [
  {
    at: '2026-04-17T14:30:00.000Z',
    eventType: 'challenge.started',
    user: user('u1', { challengesStarted: 1 }),
    challenge: { id: 'c1', started: 1, completed: 0, userId: 'u1' },
  },
  {
    at: '2026-04-17T14:59:00.000Z',
    eventType: 'challenge.completed',
    user: user('u1', { challengesCompleted: 1 }),
    challenge: { id: 'c1', started: 0, completed: 1, userId: 'u1' },
  },
  { at: '2026-04-17T15:01:00.000Z', eventType: 'points.awarded', points: -40, user: user('u1', { netPoints: -40 }) },
  { at: '2026-04-17T13:00:00.000Z', eventType: 'action.completed', points: 10, user: user('u2', { netPoints: 10 }) },
  {
    at: '2026-04-18T00:00:00.000Z',
    eventType: 'challenge.started',
    user: user('u1', { challengesStarted: 1 }),
    challenge: { id: 'c1', started: 1, completed: 0, userId: 'u1' },
  },
  { at: '2026-04-17T16:00:00.000Z', eventType: 'referral.referee_credited', referral: { id: 'r1', refereeId: 'u2', side: 'referee' } },
  {
    at: '2026-04-17T15:00:00.000Z',
    eventType: 'referral.referrer_credited',
    referral: { id: 'r1', referrerId: 'u1', refereeId: 'u2', side: 'referrer' },
  },
  { at: '2026-04-17T15:00:00.000Z', eventType: 'unknown', unknown: { name: 'x.y', category: 'unknown' } },
]

const summed = (facts: Facts[]): Record<string, unknown[]> => {
  const deltas = emptyDeltas()
  for (const f of facts) addFacts(deltas, f)
  return Object.fromEntries(Object.entries(deltas).map(([table, rows]) => [table, sortedRows(rows as Deltas['users'])]))
}

describe('addFacts', () => {
  it('gives the same deltas whatever the order', () => {
    const expected = summed(stream)
    let state = 7
    const random = (n: number): number => (state = (state * 48271) % 2147483647) % n
    for (let round = 0; round < 20; round++) {
      const shuffled = [...stream]
      for (let i = shuffled.length - 1; i > 0; i--) {
        const j = random(i + 1)
        ;[shuffled[i], shuffled[j]] = [shuffled[j] as Facts, shuffled[i] as Facts]
      }
      expect(summed(shuffled)).toEqual(expected)
    }
    expect(summed([...stream].reverse())).toEqual(expected)
  })

  it('buckets by hour and day, and keeps the earliest start and completion', () => {
    const deltas = emptyDeltas()
    for (const f of stream) addFacts(deltas, f)
    expect(deltas.hourly.get('2026-04-17T14:00:00.000Z\u0000challenge.started')?.events).toBe(1)
    expect(deltas.daily.get('2026-04-17\u0000challenge.started')?.events).toBe(1)
    expect(deltas.daily.get('2026-04-18\u0000challenge.started')?.events).toBe(1)
    expect(deltas.challengeUsers.get('c1\u0000u1')).toEqual({
      challengeId: 'c1',
      userId: 'u1',
      startedAt: '2026-04-17T14:30:00.000Z',
      completedAt: '2026-04-17T14:59:00.000Z',
    })
    expect(deltas.users.get('u1')).toMatchObject({
      events: 4,
      netPoints: -40,
      first: '2026-04-17T14:30:00.000Z',
      last: '2026-04-18T00:00:00.000Z',
    })
    expect(deltas.referrals.get('r1')).toEqual({
      id: 'r1',
      referrerId: 'u1',
      refereeId: 'u2',
      referrer: 1,
      referee: 1,
      firstAt: '2026-04-17T15:00:00.000Z',
    })
    expect([...deltas.points.values()]).toEqual([
      { bucket: '2026-04-17T15:00:00.000Z', eventType: 'points.awarded', direction: 'debit', points: 40, transactions: 1 },
      { bucket: '2026-04-17T13:00:00.000Z', eventType: 'action.completed', direction: 'credit', points: 10, transactions: 1 },
    ])
  })
})
