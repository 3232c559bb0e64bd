import type { SimAchievement, SimAction, SimChallenge, SimReward, SimUser, World } from './create-world.ts'

/** One event as Nudj would send it: the body, and for gen-2 the delivery id header. */
export type SimEvent = {
  name: string
  generation: 'gen1' | 'gen2'
  /** gen-2: X-Nudj-Delivery-Id; gen-1: the body's `id` (Nudj's webhook id there). */
  deliveryId: string
  body: Record<string, unknown>
}

export type EventContext = {
  user: SimUser
  at: Date
  challenge?: SimChallenge
  action?: SimAction
  reward?: SimReward
  achievement?: SimAchievement
  /** For referrals: the other side of the referral. */
  otherUser?: SimUser
}

export const gen2Names = [
  'reward.earned',
  'reward.delivered',
  'reward.delivery_failed',
  'reward.redeemed',
  'reward.expired',
  'challenge.started',
  'challenge.completed',
  'action.completed',
  'achievement.earned',
  'points.awarded',
  'referral.referrer_credited',
  'referral.referee_credited',
  'user.registered',
  'shopify.orders_create',
] as const

export const gen1Names = [
  'challenge-started',
  'challenge-completion',
  'action-participation',
  'reward-distribution',
  'reward-claim',
  'reward-redemption',
  'shop-purchase',
  'achievement-completion',
  'post-like',
  'post-comment',
  'streak-extended',
  'auth.email',
] as const

export type Gen2Name = (typeof gen2Names)[number]
export type Gen1Name = (typeof gen1Names)[number]

/** A gen-2 body `{event, timestamp, data}` with the entities the context names. */
export function buildGen2Event(world: World, name: Gen2Name, ctx: EventContext): SimEvent {
  const { random } = world
  const challenge = ctx.challenge ?? random.pick(world.challenges)
  const reward = ctx.reward ?? random.pick(world.rewards)
  const user = { id: ctx.user.id, externalUserId: ctx.user.externalId, email: ctx.user.email }
  const rewardData = {
    id: reward.id,
    type: reward.type,
    value: reward.value,
    name: reward.name,
    ...(reward.currency ? { currency: reward.currency } : {}),
  }
  const data: Record<string, unknown> = { user, organisationId: world.organisationId, communityId: world.communityId }
  switch (name) {
    case 'reward.earned':
      Object.assign(data, { reward: rewardData, challenge: { id: challenge.id, name: challenge.name } })
      break
    case 'reward.delivered':
      Object.assign(data, { reward: { ...rewardData, code: `SAVE${random.int(5, 30)}-${random.hex(6).toUpperCase()}` } })
      break
    case 'reward.delivery_failed':
      Object.assign(data, {
        reward: rewardData,
        error: random.pick(['voucher provider timed out', 'stock exhausted', 'recipient address rejected']),
      })
      break
    case 'reward.redeemed':
    case 'reward.expired':
      Object.assign(data, { reward: rewardData })
      break
    case 'challenge.started':
    case 'challenge.completed':
      Object.assign(data, { challenge: { id: challenge.id, name: challenge.name } })
      break
    case 'action.completed': {
      const action = ctx.action ?? random.pick(challenge.actions)
      Object.assign(data, {
        action: { id: action.id, type: action.type, pointsEarned: action.points },
        challenge: { id: challenge.id, name: challenge.name },
      })
      break
    }
    case 'achievement.earned': {
      const achievement = ctx.achievement ?? random.pick(world.achievements)
      Object.assign(data, { achievement: { id: achievement.id, name: achievement.name, tier: random.int(1, achievement.tiers) } })
      break
    }
    case 'points.awarded': {
      const amount = random.chance(0.2) ? -random.int(1, 20) * 10 : random.int(1, 20) * 10
      Object.assign(data, { points: { amount, reason: amount < 0 ? 'shop purchase' : 'challenge activity' } })
      break
    }
    case 'referral.referrer_credited':
    case 'referral.referee_credited': {
      const other = ctx.otherUser ?? random.pick(world.users)
      const [referrer, referee] = name === 'referral.referrer_credited' ? [ctx.user, other] : [other, ctx.user]
      Object.assign(data, { referral: { id: `ref_${random.hex(12)}`, referrerId: referrer.id, refereeId: referee.id }, reward: rewardData })
      break
    }
    case 'user.registered':
      Object.assign(data, { user: { ...user, name: ctx.user.name } })
      break
    case 'shopify.orders_create':
      Object.assign(data, {
        shopify: { id: random.int(1e9, 9e9), total_price: `${random.int(5, 300)}.${random.int(10, 99)}`, currency: 'GBP' },
      })
      break
  }
  return { name, generation: 'gen2', deliveryId: `dlv_${random.hex(24)}`, body: { event: name, timestamp: ctx.at.toISOString(), data } }
}

const gen1Category: Record<Gen1Name, string> = {
  'challenge-started': 'challenge',
  'challenge-completion': 'challenge',
  'action-participation': 'action',
  'reward-distribution': 'reward',
  'reward-claim': 'reward',
  'reward-redemption': 'reward',
  'shop-purchase': 'shop',
  'achievement-completion': 'achievement',
  'post-like': 'community',
  'post-comment': 'community',
  'streak-extended': 'gamification',
  'auth.email': 'user',
}

/** A gen-1 envelope `{id, eventCategory, eventSubCategory, ..., payload, createdAt}`. */
export function buildGen1Event(world: World, name: Gen1Name, ctx: EventContext): SimEvent {
  const { random } = world
  const challenge = ctx.challenge ?? random.pick(world.challenges)
  const reward = ctx.reward ?? random.pick(world.rewards)
  let eventSourceId: string | undefined
  let payload: Record<string, unknown> = {}
  switch (name) {
    case 'challenge-started':
    case 'challenge-completion':
      eventSourceId = challenge.id
      payload = { challengeId: challenge.id, userId: ctx.user.id }
      break
    case 'action-participation': {
      const action = ctx.action ?? random.pick(challenge.actions)
      // The participation record's own id; the action id travels in the payload.
      eventSourceId = random.hex(24)
      payload = {
        actionId: action.id,
        actionType: action.type,
        challengeId: challenge.id,
        isCorrect: random.chance(0.8),
        completedAt: ctx.at.toISOString(),
        pointsEarned: action.points,
        xpEarned: action.points / 2,
      }
      break
    }
    case 'reward-distribution':
      eventSourceId = reward.id
      payload = {
        points: typeof reward.value === 'number' ? reward.value : 0,
        xp: random.int(1, 10) * 5,
        rewards: [{ id: reward.id, name: reward.name }],
      }
      break
    case 'reward-claim':
    case 'reward-redemption':
      eventSourceId = reward.id
      payload = { rewardId: reward.id }
      break
    case 'shop-purchase':
      payload = {
        pointsSpent: random.int(1, 30) * 10,
        items: [{ id: `item_${random.hex(6)}`, name: random.pick(['Mug', 'Tote bag', 'Voucher']), quantity: 1 }],
      }
      break
    case 'achievement-completion': {
      const achievement = ctx.achievement ?? random.pick(world.achievements)
      eventSourceId = achievement.id
      payload = { achievementId: achievement.id, name: achievement.name }
      break
    }
    case 'post-like':
      payload = { postId: random.hex(24) }
      break
    case 'post-comment':
      payload = { postId: random.hex(24), commentId: random.hex(24) }
      break
    case 'streak-extended':
      payload = { streakDays: random.int(2, 60) }
      break
    case 'auth.email':
      payload = { email: ctx.user.email }
      break
  }
  const id = random.hex(24)
  const body: Record<string, unknown> = {
    id,
    eventCategory: gen1Category[name],
    eventSubCategory: name,
    organisationId: world.organisationId,
    communityId: world.communityId,
    userId: ctx.user.id,
    ...(eventSourceId ? { eventSourceId } : {}),
    payload,
    createdAt: ctx.at.toISOString(),
  }
  return { name, generation: 'gen1', deliveryId: id, body }
}
