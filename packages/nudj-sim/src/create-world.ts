import { createRandom, type Random } from './create-random.ts'

export type SimUser = { id: string; externalId: string; email: string; name: string }
export type SimAction = { id: string; type: string; points: number }
export type SimChallenge = { id: string; name: string; actions: SimAction[] }
export type SimReward = { id: string; name: string; type: 'asset' | 'entry'; value: number | string; currency?: string }
export type SimAchievement = { id: string; name: string; tiers: number }

/** The same organisation, users, challenges and rewards across a whole run. */
export type World = {
  random: Random
  organisationId: string
  communityId: string
  users: SimUser[]
  challenges: SimChallenge[]
  rewards: SimReward[]
  achievements: SimAchievement[]
}

export type WorldOptions = { seed?: number; users?: number; challenges?: number }

const actionTypes = ['QUIZ_MULTIPLE_CHOICE', 'QUIZ_FREE_TEXT', 'PHOTO_UPLOAD', 'CHECK_IN', 'SURVEY', 'LINK_VISIT', 'VIDEO_WATCH'] as const
const firstNames = [
  'Ada',
  'Grace',
  'Alan',
  'Katherine',
  'Linus',
  'Margaret',
  'Tim',
  'Barbara',
  'Dennis',
  'Frances',
  'Ken',
  'Radia',
] as const
const themes = [
  'Weekly Shopping',
  'Summer Fitness',
  'Eco Warrior',
  'Book Club',
  'Coffee Lover',
  'Weekend Explorer',
  'Recycling',
  'Healthy Habits',
] as const

/** Builds a world deterministically from its seed. */
export function createWorld(options: WorldOptions = {}): World {
  const random = createRandom(options.seed ?? 1)
  const objectId = (): string => random.hex(24)
  const users = Array.from({ length: options.users ?? 200 }, (_, i): SimUser => {
    const name = random.pick(firstNames)
    return { id: objectId(), externalId: `customer_${1000 + i}`, email: `${name.toLowerCase()}.${i}@example.com`, name }
  })
  const challenges = Array.from({ length: options.challenges ?? 20 }, (_, i): SimChallenge => ({
    id: objectId(),
    name: `${random.pick(themes)} Challenge ${i + 1}`,
    actions: Array.from({ length: random.int(2, 5) }, () => ({
      id: objectId(),
      type: random.pick(actionTypes),
      points: random.int(1, 5) * 10,
    })),
  }))
  const rewards = challenges.map((c, i): SimReward =>
    i % 4 === 3
      ? { id: objectId(), name: `${c.name} prize draw`, type: 'entry', value: 1 }
      : { id: objectId(), name: `${c.name} bonus`, type: 'asset', value: random.int(1, 10) * 50, currency: 'GBP' },
  )
  const achievements = ['First Steps', 'Streak Master', 'Quiz Whizz', 'Community Star', 'Big Spender'].map((name) => ({
    id: objectId(),
    name,
    tiers: random.int(1, 3),
  }))
  return { random, organisationId: objectId(), communityId: objectId(), users, challenges, rewards, achievements }
}
