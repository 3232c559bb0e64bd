import { buildGen1Event, buildGen2Event, type EventContext, type Gen1Name, type Gen2Name, type SimEvent } from './build-event.ts'
import type { SimChallenge, SimUser, World } from './create-world.ts'

export type Generation = 'gen1' | 'gen2'

/**
 * Nudj's documented sequence for one user and challenge: started, each action, completed,
 * the reward, and (when `withAchievement`) the achievement, in the generation's own names.
 */
export function buildJourney(
  world: World,
  generation: Generation,
  user: SimUser,
  challenge: SimChallenge,
  start: Date,
  withAchievement = true,
): SimEvent[] {
  let at = start.getTime()
  const ctx = (): EventContext => {
    at += world.random.int(200, 5000)
    return { user, challenge, at: new Date(at), reward: world.rewards[world.challenges.indexOf(challenge)] }
  }
  const achievement = world.random.pick(world.achievements)
  if (generation === 'gen2') {
    const event = (name: Gen2Name, extra: Partial<EventContext> = {}): SimEvent => buildGen2Event(world, name, { ...ctx(), ...extra })
    return [
      event('challenge.started'),
      ...challenge.actions.map((action) => event('action.completed', { action })),
      event('challenge.completed'),
      event('reward.earned'),
      ...(withAchievement ? [event('achievement.earned', { achievement })] : []),
    ]
  }
  const event = (name: Gen1Name, extra: Partial<EventContext> = {}): SimEvent => buildGen1Event(world, name, { ...ctx(), ...extra })
  return [
    event('challenge-started'),
    ...challenge.actions.map((action) => event('action-participation', { action })),
    event('challenge-completion'),
    event('reward-distribution'),
    ...(withAchievement ? [event('achievement-completion', { achievement })] : []),
  ]
}

const gen2Extras: Gen2Name[] = [
  'reward.delivered',
  'reward.delivery_failed',
  'reward.redeemed',
  'reward.expired',
  'points.awarded',
  'referral.referrer_credited',
  'referral.referee_credited',
  'user.registered',
  'shopify.orders_create',
]
const gen1Extras: Gen1Name[] = [
  'reward-claim',
  'reward-redemption',
  'shop-purchase',
  'post-like',
  'post-comment',
  'streak-extended',
  'auth.email',
]

export type EventStreamOptions = {
  /** Share of gen-1 traffic, 0 to 1 (default 0.5). */
  gen1Share?: number
  start?: Date
}

/**
 * An endless, realistic mix of both generations: journeys interleaved with every other
 * catalog event, all about the world's users, challenges and rewards.
 */
export function createEventStream(world: World, options: EventStreamOptions = {}): { next: () => SimEvent } {
  const gen1Share = options.gen1Share ?? 0.5
  let clock = (options.start ?? new Date()).getTime()
  const queue: SimEvent[] = []
  const refill = (): void => {
    const { random } = world
    const generation: Generation = random.chance(gen1Share) ? 'gen1' : 'gen2'
    const user = random.pick(world.users)
    // Never ahead of the wall clock (but for a journey's own steps): receivers refuse a signed
    // timestamp too far from now, and a stream sent faster than its simulated gaps would run
    // minutes ahead. A stream started in the past keeps its own pace.
    clock = Math.max(clock, Math.min(clock + random.int(100, 3000), Date.now()))
    if (random.chance(0.5)) {
      queue.push(...buildJourney(world, generation, user, random.pick(world.challenges), new Date(clock), random.chance(0.5)))
      return
    }
    const ctx: EventContext = { user, at: new Date(clock), otherUser: random.pick(world.users) }
    queue.push(
      generation === 'gen2' ? buildGen2Event(world, random.pick(gen2Extras), ctx) : buildGen1Event(world, random.pick(gen1Extras), ctx),
    )
  }
  return {
    next() {
      if (queue.length === 0) refill()
      return queue.shift() as SimEvent
    },
  }
}
