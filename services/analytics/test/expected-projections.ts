import type { SimEvent } from '@nudj-webhooks/nudj-sim'

// The independent computation the tests compare the service with: plain code over the
// events the simulator delivered (acknowledged, each webhook id once), written from the
// README's definitions, sharing no code with the projector.

const gen1Canonical: Record<string, string> = {
  'challenge-started': 'challenge.started',
  'challenge-completion': 'challenge.completed',
  'action-participation': 'action.completed',
  'reward-distribution': 'reward.earned',
  'reward-claim': 'reward.claimed',
  'reward-redemption': 'reward.redeemed',
  'shop-purchase': 'shop.purchased',
  'achievement-completion': 'achievement.earned',
  'post-like': 'post.liked',
  'post-comment': 'post.commented',
  'streak-extended': 'streak.extended',
  'auth.email': 'user.auth_email',
}

export type ExpectedUser = {
  userId: string
  firstSeen: string
  lastSeen: string
  events: number
  netPoints: number
  rewardsEarned: number
  rewardsClaimed: number
  rewardsRedeemed: number
  challengesStarted: number
  challengesCompleted: number
  achievements: number
}

export type Expected = {
  total: number
  byType: Record<string, number>
  users: Map<string, ExpectedUser>
  challenges: Map<string, { started: number; completed: number; usersStarted: number; usersCompleted: number; median: number | null }>
  rewards: Map<string, Record<'earned' | 'claimed' | 'delivered' | 'deliveryFailed' | 'redeemed' | 'expired', number>>
  credited: number
  debited: number
}

// The fields of the simulator's bodies that the definitions read.
type Body = {
  timestamp: string
  createdAt: string
  userId: string
  eventSourceId: string
  data: {
    user: { id: string }
    points: { amount: number }
    action: { pointsEarned: number }
    challenge: { id: string }
    reward: { id: string }
  }
  payload: { pointsEarned: number; points: number; pointsSpent: number }
}

export function expectedProjections(delivered: SimEvent[]): Expected {
  const unique = new Map<string, SimEvent>()
  for (const event of delivered) unique.set(event.deliveryId, event)
  const byType: Record<string, number> = {}
  const users = new Map<string, ExpectedUser>()
  const firsts = new Map<string, { challenge: string; started?: number; completed?: number }>()
  const challengeCounts = new Map<string, { started: number; completed: number }>()
  const rewards: Expected['rewards'] = new Map()
  let credited = 0
  let debited = 0
  for (const { name, generation, body } of unique.values()) {
    const b = body as unknown as Body
    const type = generation === 'gen2' ? name : (gen1Canonical[name] as string)
    byType[type] = (byType[type] ?? 0) + 1
    const at = generation === 'gen2' ? b.timestamp : b.createdAt
    const userId = generation === 'gen2' ? b.data.user.id : b.userId

    let points = 0
    if (name === 'points.awarded') points = b.data.points.amount
    if (name === 'action.completed') points = b.data.action.pointsEarned
    if (name === 'action-participation') points = b.payload.pointsEarned
    if (name === 'reward-distribution') points = b.payload.points
    if (name === 'shop-purchase') points = -b.payload.pointsSpent
    if (points > 0) credited += points
    if (points < 0) debited -= points

    const user = users.get(userId) ?? {
      userId,
      firstSeen: at,
      lastSeen: at,
      events: 0,
      netPoints: 0,
      rewardsEarned: 0,
      rewardsClaimed: 0,
      rewardsRedeemed: 0,
      challengesStarted: 0,
      challengesCompleted: 0,
      achievements: 0,
    }
    users.set(userId, user)
    user.events += 1
    user.netPoints += points
    if (at < user.firstSeen) user.firstSeen = at
    if (at > user.lastSeen) user.lastSeen = at
    if (type === 'reward.earned') user.rewardsEarned += 1
    if (type === 'reward.claimed') user.rewardsClaimed += 1
    if (type === 'reward.redeemed') user.rewardsRedeemed += 1
    if (type === 'challenge.started') user.challengesStarted += 1
    if (type === 'challenge.completed') user.challengesCompleted += 1
    if (type === 'achievement.earned') user.achievements += 1

    if (type === 'challenge.started' || type === 'challenge.completed') {
      const challenge = generation === 'gen2' ? b.data.challenge.id : b.eventSourceId
      const counts = challengeCounts.get(challenge) ?? { started: 0, completed: 0 }
      challengeCounts.set(challenge, counts)
      const first = firsts.get(`${challenge} ${userId}`) ?? { challenge }
      firsts.set(`${challenge} ${userId}`, first)
      const time = Date.parse(at)
      if (type === 'challenge.started') {
        counts.started += 1
        first.started = Math.min(first.started ?? Infinity, time)
      } else {
        counts.completed += 1
        first.completed = Math.min(first.completed ?? Infinity, time)
      }
    }
    if (type.startsWith('reward.')) {
      const reward = generation === 'gen2' ? b.data.reward.id : b.eventSourceId
      const row = rewards.get(reward) ?? { earned: 0, claimed: 0, delivered: 0, deliveryFailed: 0, redeemed: 0, expired: 0 }
      rewards.set(reward, row)
      const field = {
        earned: 'earned',
        claimed: 'claimed',
        delivered: 'delivered',
        delivery_failed: 'deliveryFailed',
        redeemed: 'redeemed',
        expired: 'expired',
      }[type.slice('reward.'.length)] as keyof typeof row
      row[field] += 1
    }
  }
  const challenges: Expected['challenges'] = new Map()
  for (const [challenge, counts] of challengeCounts) {
    const members = [...firsts.values()].filter((f) => f.challenge === challenge)
    const durations = members
      .filter((m) => m.started !== undefined && m.completed !== undefined && m.completed >= m.started)
      .map((m) => (m.completed! - m.started!) / 1000)
      .sort((x, y) => x - y)
    const mid = Math.floor(durations.length / 2)
    const median =
      durations.length === 0 ? null : durations.length % 2 === 1 ? durations[mid]! : (durations[mid - 1]! + durations[mid]!) / 2
    challenges.set(challenge, {
      ...counts,
      usersStarted: members.filter((m) => m.started !== undefined).length,
      usersCompleted: members.filter((m) => m.completed !== undefined).length,
      median,
    })
  }
  return { total: unique.size, byType, users, challenges, rewards, credited, debited }
}
