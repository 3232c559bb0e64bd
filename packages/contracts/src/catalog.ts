// What Nudj sends, as data: every event name of both generations, the category (and so the
// Kafka topic) it routes to, and the canonical name that consumers handle. Source: the
// sender's documentation (docs/nudj-webhooks.md summarises it).

export const categories = [
  'reward',
  'challenge',
  'action',
  'achievement',
  'points',
  'referral',
  'community',
  'user',
  'shopify',
  'unknown',
] as const
export type Category = (typeof categories)[number]

/** The entity an event is about; gen-1 carries its id as `eventSourceId`. */
export type EntityKind = 'reward' | 'challenge' | 'action' | 'achievement' | 'post'

/**
 * `dotted` names come from Nudj's gen-2 enterprise pages (and the older gen-0 page);
 * `kebab` names from the gen-1 developer pages, which also list the dotted `auth.email`.
 */
export type NameStyle = 'dotted' | 'kebab'

export type CatalogEntry = {
  name: string
  style: NameStyle
  canonical: string
  category: Category
  entity?: EntityKind
  description: string
}

const dotted = (name: string, category: Category, entity: EntityKind | undefined, description: string): CatalogEntry => ({
  name,
  style: 'dotted',
  canonical: name,
  category,
  entity,
  description,
})

const kebab = (name: string, canonical: string, category: Category, entity: EntityKind | undefined, description: string): CatalogEntry => ({
  name,
  style: 'kebab',
  canonical,
  category,
  entity,
  description,
})

export const catalog: readonly CatalogEntry[] = [
  dotted('reward.earned', 'reward', 'reward', 'a reward was credited to the user'),
  dotted('reward.delivered', 'reward', 'reward', 'a reward was delivered to the user or a downstream system'),
  dotted('reward.delivery_failed', 'reward', 'reward', 'delivering a reward failed after retries'),
  dotted('reward.redeemed', 'reward', 'reward', 'a redeemable reward was used'),
  dotted('reward.expired', 'reward', 'reward', 'a time-limited reward expired unredeemed'),
  dotted('challenge.started', 'challenge', 'challenge', 'the user joined or started a challenge'),
  dotted('challenge.completed', 'challenge', 'challenge', 'the user completed a challenge'),
  dotted('action.completed', 'action', 'action', 'the user completed one action (quiz, question, submission, ...)'),
  dotted('achievement.earned', 'achievement', 'achievement', 'the user reached an achievement, tiered ones included'),
  dotted('points.awarded', 'points', undefined, 'a points transaction was applied (positive or negative)'),
  dotted('referral.referrer_credited', 'referral', undefined, "the referrer's reward was distributed"),
  dotted('referral.referee_credited', 'referral', undefined, "the referee's welcome reward was distributed"),
  dotted('user.registered', 'user', undefined, 'a user registered (gen-0 wording)'),
  kebab('challenge-started', 'challenge.started', 'challenge', 'challenge', 'the user started a challenge'),
  kebab('challenge-completion', 'challenge.completed', 'challenge', 'challenge', 'the user completed every required action of a challenge'),
  kebab('action-participation', 'action.completed', 'action', 'action', 'the user completed one action inside a challenge'),
  kebab('reward-distribution', 'reward.earned', 'reward', 'reward', 'the system granted rewards (points, XP, items)'),
  kebab('reward-claim', 'reward.claimed', 'reward', 'reward', 'the user claimed an available reward'),
  kebab('reward-redemption', 'reward.redeemed', 'reward', 'reward', 'the user redeemed a claimed reward'),
  kebab('shop-purchase', 'shop.purchased', 'points', undefined, 'the user spent points in the shop'),
  kebab('achievement-completion', 'achievement.earned', 'achievement', 'achievement', "the user met all of an achievement's criteria"),
  kebab('post-like', 'post.liked', 'community', 'post', 'the user liked a community post'),
  kebab('post-comment', 'post.commented', 'community', 'post', 'the user commented on a community post'),
  kebab('streak-extended', 'streak.extended', 'achievement', undefined, 'the user extended a streak (organisation-wide)'),
  kebab('auth.email', 'user.auth_email', 'user', undefined, 'an authentication email event (meaning undocumented; organisation-wide)'),
]

/** Shopify topics passed through verbatim arrive as `shopify.<topic_with_underscores>`. */
export const shopifyPrefix = 'shopify.'

const byName = new Map(catalog.map((entry) => [entry.name, entry]))

/** The catalog entry for an event name exactly as sent (names are case-sensitive). */
export function lookupEvent(name: string): CatalogEntry | undefined {
  const entry = byName.get(name)
  if (entry) return entry
  if (name.startsWith(shopifyPrefix) && /^shopify\.[a-z0-9_]+$/.test(name)) {
    return { name, style: 'dotted', canonical: name, category: 'shopify', description: 'a Shopify topic passed through by Nudj' }
  }
  return undefined
}
