import type { Facts, RewardCounters, UserCounters } from './project-event.ts'

type Seen = { first: string; last: string }

/** A batch's facts summed per projection row, ready for one upsert per table. */
export type Deltas = {
  hourly: Map<string, { bucket: string; eventType: string; events: number }>
  daily: Map<string, { day: string; eventType: string; events: number }>
  users: Map<string, { id: string; events: number } & Seen & UserCounters>
  challenges: Map<string, { id: string; started: number; completed: number }>
  challengeUsers: Map<string, { challengeId: string; userId: string; startedAt?: string; completedAt?: string }>
  rewards: Map<string, { id: string } & RewardCounters>
  referrals: Map<string, { id: string; referrerId?: string; refereeId?: string; referrer: number; referee: number; firstAt: string }>
  points: Map<string, { bucket: string; eventType: string; direction: 'credit' | 'debit'; points: number; transactions: number }>
  unknown: Map<string, { name: string; category: string; events: number } & Seen>
}

export function emptyDeltas(): Deltas {
  return {
    hourly: new Map(),
    daily: new Map(),
    users: new Map(),
    challenges: new Map(),
    challengeUsers: new Map(),
    rewards: new Map(),
    referrals: new Map(),
    points: new Map(),
    unknown: new Map(),
  }
}

const key = (...parts: string[]): string => parts.join('\u0000')
const earliest = (a: string | undefined, b: string | undefined): string | undefined =>
  a === undefined || (b !== undefined && b < a) ? b : a
const latest = (a: string, b: string): string => (b > a ? b : a)

/** Adds one event's facts to the batch. Sums, earliest and latest only: the order of adds never matters. */
export function addFacts(deltas: Deltas, facts: Facts): void {
  // ISO 8601 in UTC: the hour and the day are prefixes.
  const bucket = `${facts.at.slice(0, 13)}:00:00.000Z`
  const day = facts.at.slice(0, 10)
  const type = facts.eventType
  bump(deltas.hourly, key(bucket, type), () => ({ bucket, eventType: type, events: 0 })).events += 1
  bump(deltas.daily, key(day, type), () => ({ day, eventType: type, events: 0 })).events += 1

  if (facts.unknown) {
    const { name, category } = facts.unknown
    const row = bump(deltas.unknown, key(name, category), () => ({ name, category, events: 0, first: facts.at, last: facts.at }))
    row.events += 1
    row.first = earliest(row.first, facts.at) as string
    row.last = latest(row.last, facts.at)
  }
  if (facts.user) {
    const { id, ...counters } = facts.user
    const row = bump(deltas.users, id, () => ({ id, events: 0, first: facts.at, last: facts.at, ...zeroUser() }))
    row.events += 1
    row.first = earliest(row.first, facts.at) as string
    row.last = latest(row.last, facts.at)
    for (const name of Object.keys(counters) as (keyof UserCounters)[]) row[name] += counters[name]
  }
  if (facts.challenge) {
    const { id, started, completed, userId } = facts.challenge
    const row = bump(deltas.challenges, id, () => ({ id, started: 0, completed: 0 }))
    row.started += started
    row.completed += completed
    if (userId) {
      const member = bump(deltas.challengeUsers, key(id, userId), () => ({ challengeId: id, userId }))
      if (started) member.startedAt = earliest(member.startedAt, facts.at)
      else member.completedAt = earliest(member.completedAt, facts.at)
    }
  }
  if (facts.reward) {
    const { id, ...counters } = facts.reward
    const row = bump(deltas.rewards, id, () => ({ id, earned: 0, claimed: 0, delivered: 0, deliveryFailed: 0, redeemed: 0, expired: 0 }))
    for (const name of Object.keys(counters) as (keyof RewardCounters)[]) row[name] += counters[name]
  }
  if (facts.referral) {
    const { id, referrerId, refereeId, side } = facts.referral
    const row = bump(deltas.referrals, id, () => ({ id, referrer: 0, referee: 0, firstAt: facts.at }))
    row[side] += 1
    row.firstAt = earliest(row.firstAt, facts.at) as string
    // Both events of one referral name the same two users; the least keeps it commutative anyway.
    row.referrerId = earliest(row.referrerId, referrerId)
    row.refereeId = earliest(row.refereeId, refereeId)
  }
  if (facts.points !== undefined) {
    const direction: 'credit' | 'debit' = facts.points < 0 ? 'debit' : 'credit'
    const row = bump(deltas.points, key(bucket, type, direction), () => ({
      bucket,
      eventType: type,
      direction,
      points: 0,
      transactions: 0,
    }))
    row.points += Math.abs(facts.points)
    row.transactions += 1
  }
}

function zeroUser(): UserCounters {
  return {
    netPoints: 0,
    rewardsEarned: 0,
    rewardsClaimed: 0,
    rewardsRedeemed: 0,
    challengesStarted: 0,
    challengesCompleted: 0,
    achievements: 0,
  }
}

function bump<T>(map: Map<string, T>, k: string, create: () => NoInfer<T>): T {
  let row = map.get(k)
  if (!row) {
    row = create()
    map.set(k, row)
  }
  return row
}

/** A map's rows in key order: every transaction locks rows in the same order, so batches never deadlock. */
export function sortedRows<T>(map: Map<string, T>): T[] {
  return [...map.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, row]) => row)
}
