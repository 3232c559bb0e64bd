import type { NudjEvent } from '@nudj-webhooks/contracts'

/** What templates may say about an event, read tolerantly from either generation's body. */
export type EventFacts = {
  userId?: string
  occurredAt?: string
  rewardName?: string
  rewardValue?: number | string
  rewardCurrency?: string
  rewardCode?: string
  rewardLink?: string
  challengeName?: string
  achievementName?: string
  achievementTier?: number
  points?: number
  error?: string
  referralId?: string
}

const obj = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {}
const str = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined)
const num = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : undefined)

/** gen-2 reads `data.*`; gen-1 reads `payload.*` (its events name fewer things). */
export function readEventFacts(event: NudjEvent): EventFacts {
  const body = event.body
  const data = obj(body.data)
  const payload = obj(body.payload)
  const reward = obj(data.reward)
  const firstGen1Reward = obj(Array.isArray(payload.rewards) ? payload.rewards[0] : undefined)
  const link = str(reward.link) ?? str(reward.url)
  return {
    userId: event.user.id,
    occurredAt: event.occurredAt,
    rewardName: str(reward.name) ?? str(firstGen1Reward.name),
    rewardValue: num(reward.value) ?? str(reward.value),
    rewardCurrency: str(reward.currency),
    rewardCode: str(reward.code),
    // Only web links: anything else (javascript:, data:) is not shown as a link.
    rewardLink: link && /^https?:\/\//i.test(link) ? link : undefined,
    challengeName: str(obj(data.challenge).name) ?? str(payload.challengeName),
    achievementName: str(obj(data.achievement).name) ?? str(payload.name),
    achievementTier: num(obj(data.achievement).tier),
    points: num(payload.points),
    error: str(data.error),
    referralId: str(obj(data.referral).id),
  }
}
