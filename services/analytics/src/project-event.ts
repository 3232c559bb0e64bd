import type { NudjEvent } from '@nudj-webhooks/contracts'

/** What the projector reads: the normalised event and when ingest received it. */
export type AnalyticsEvent = { event: NudjEvent; receivedAt: number }

export type UserCounters = {
  netPoints: number
  rewardsEarned: number
  rewardsClaimed: number
  rewardsRedeemed: number
  challengesStarted: number
  challengesCompleted: number
  achievements: number
}

export type RewardCounters = {
  earned: number
  claimed: number
  delivered: number
  deliveryFailed: number
  redeemed: number
  expired: number
}

/** Everything one event contributes to the projections; the aggregator sums these. */
export type Facts = {
  /** ISO 8601: when it happened (the event's own time, else when ingest received it). */
  at: string
  /** The canonical name, or `unknown` for an event the catalog does not know. */
  eventType: string
  unknown?: { name: string; category: string }
  user?: { id: string } & UserCounters
  challenge?: { id: string; started: number; completed: number; userId?: string }
  reward?: { id: string } & RewardCounters
  referral?: { id: string; referrerId?: string; refereeId?: string; side: 'referrer' | 'referee' }
  /** A points transaction, signed (negative for a debit). */
  points?: number
}

const noUser: UserCounters = {
  netPoints: 0,
  rewardsEarned: 0,
  rewardsClaimed: 0,
  rewardsRedeemed: 0,
  challengesStarted: 0,
  challengesCompleted: 0,
  achievements: 0,
}
const rewardCounter: Partial<Record<string, keyof RewardCounters>> = {
  'reward.earned': 'earned',
  'reward.claimed': 'claimed',
  'reward.delivered': 'delivered',
  'reward.delivery_failed': 'deliveryFailed',
  'reward.redeemed': 'redeemed',
  'reward.expired': 'expired',
}
const userCounter: Partial<Record<string, keyof UserCounters>> = {
  'reward.earned': 'rewardsEarned',
  'reward.claimed': 'rewardsClaimed',
  'reward.redeemed': 'rewardsRedeemed',
  'challenge.started': 'challengesStarted',
  'challenge.completed': 'challengesCompleted',
  'achievement.earned': 'achievements',
}

/** The projection rows one event touches. Pure: the same event always gives the same facts. */
export function projectEvent({ event, receivedAt }: AnalyticsEvent): Facts {
  // Buckets are prefixes of the ISO text, so only a four-digit year is taken from the event.
  const at = event.occurredAt && /^\d{4}-/.test(event.occurredAt) ? event.occurredAt : new Date(receivedAt).toISOString()
  if (!event.known) return { at, eventType: 'unknown', unknown: { name: event.event.slice(0, 200) || '(none)', category: event.category } }

  const type = event.canonical
  const facts: Facts = { at, eventType: type }
  const points = pointsOf(event)
  if (points !== undefined && points !== 0) facts.points = points
  const userId = event.user.id
  if (userId) {
    const counter = userCounter[type]
    facts.user = { id: userId, ...noUser, netPoints: facts.points ?? 0, ...(counter ? { [counter]: 1 } : {}) }
  }
  const challengeId = event.entities.challengeId
  if (challengeId && (type === 'challenge.started' || type === 'challenge.completed')) {
    const started = type === 'challenge.started' ? 1 : 0
    facts.challenge = { id: challengeId, started, completed: 1 - started, ...(userId ? { userId } : {}) }
  }
  const rewardId = event.entities.rewardId
  const rewardField = rewardCounter[type]
  if (rewardId && rewardField) {
    facts.reward = { id: rewardId, earned: 0, claimed: 0, delivered: 0, deliveryFailed: 0, redeemed: 0, expired: 0, [rewardField]: 1 }
  }
  if (type === 'referral.referrer_credited' || type === 'referral.referee_credited') {
    const referral = record(record(event.body.data).referral)
    const id = idString(referral.id)
    if (id) {
      facts.referral = { id, side: type === 'referral.referrer_credited' ? 'referrer' : 'referee' }
      const referrerId = idString(referral.referrerId)
      const refereeId = idString(referral.refereeId)
      if (referrerId) facts.referral.referrerId = referrerId
      if (refereeId) facts.referral.refereeId = refereeId
    }
  }
  return facts
}

/**
 * The points an event moves, signed. Which fields carry points is our reading of Nudj's
 * documentation and the simulator (see the README's assumptions): gen-2 `points.awarded`
 * (`data.points.amount`, signed) and `action.completed` (`data.action.pointsEarned`);
 * gen-1 `action-participation` (`payload.pointsEarned`), `reward-distribution`
 * (`payload.points`) and `shop-purchase` (`payload.pointsSpent`, a debit).
 */
export function pointsOf(event: NudjEvent): number | undefined {
  const data = record(event.body.data)
  const payload = record(event.body.payload)
  const gen1 = event.generation === 'gen1'
  switch (event.canonical) {
    case 'points.awarded':
      return integer(record(data.points).amount)
    case 'action.completed':
      return gen1 ? integer(payload.pointsEarned) : integer(record(data.action).pointsEarned)
    case 'reward.earned':
      return gen1 ? integer(payload.points) : undefined
    case 'shop.purchased': {
      const spent = integer(payload.pointsSpent)
      return spent === undefined ? undefined : -spent
    }
    default:
      return undefined
  }
}

const record = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {}

const integer = (value: unknown): number | undefined => (Number.isSafeInteger(value) ? (value as number) : undefined)

const idString = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : typeof value === 'number' && Number.isFinite(value) ? String(value) : undefined
