import type { NudjEvent } from './normalize-nudj-webhook.ts'

export type Problem = { path: string; message: string }

type Kind = 'string' | 'number' | 'integer' | 'boolean' | 'date' | 'email' | 'object' | 'string-or-number'
type Rule = { path: string; kind: Kind; required?: boolean }

const required = (path: string, kind: Kind): Rule => ({ path, kind, required: true })
const optional = (path: string, kind: Kind): Rule => ({ path, kind })

// Beyond the documented example (reward.earned), Nudj publishes no payload schemas, so the
// rules ask only for what a consumer cannot do without (who, what, when) and check the type
// of every documented field that is present. Shapes of undocumented gen-2 events
// (points.awarded, referrals) follow the simulator's model and are marked as assumptions.
const gen2Common: Rule[] = [required('timestamp', 'date'), required('data', 'object'), required('data.user.id', 'string-or-number')]
const gen2User: Rule[] = [
  optional('data.user.email', 'email'),
  optional('data.user.externalUserId', 'string-or-number'),
  optional('data.user.external_id', 'string-or-number'),
]
const gen2Reward: Rule[] = [
  required('data.reward.id', 'string-or-number'),
  optional('data.reward.name', 'string'),
  optional('data.reward.type', 'string'),
  optional('data.reward.value', 'string-or-number'),
  optional('data.reward.currency', 'string'),
]
const gen2Challenge: Rule[] = [required('data.challenge.id', 'string-or-number'), optional('data.challenge.name', 'string')]

const gen1Common: Rule[] = [
  required('id', 'string-or-number'),
  required('eventSubCategory', 'string'),
  required('createdAt', 'date'),
  required('userId', 'string-or-number'),
  optional('organisationId', 'string'),
  optional('communityId', 'string'),
  optional('payload', 'object'),
]
const gen1Source: Rule[] = [required('eventSourceId', 'string-or-number')]

const rules: Record<string, Rule[]> = {
  'reward.earned': [...gen2Common, ...gen2User, ...gen2Reward, optional('data.challenge.id', 'string-or-number')],
  'reward.delivered': [...gen2Common, ...gen2User, ...gen2Reward],
  'reward.delivery_failed': [...gen2Common, ...gen2User, ...gen2Reward, optional('data.error', 'string')],
  'reward.redeemed': [...gen2Common, ...gen2User, ...gen2Reward],
  'reward.expired': [...gen2Common, ...gen2User, ...gen2Reward],
  'challenge.started': [...gen2Common, ...gen2User, ...gen2Challenge],
  'challenge.completed': [...gen2Common, ...gen2User, ...gen2Challenge],
  'action.completed': [
    ...gen2Common,
    ...gen2User,
    required('data.action.id', 'string-or-number'),
    optional('data.action.type', 'string'),
    optional('data.challenge.id', 'string-or-number'),
    optional('data.action.pointsEarned', 'integer'),
  ],
  'achievement.earned': [
    ...gen2Common,
    ...gen2User,
    required('data.achievement.id', 'string-or-number'),
    optional('data.achievement.name', 'string'),
    optional('data.achievement.tier', 'integer'),
  ],
  // Assumption: { points: { amount, balance?, reason? } }, amount negative for a debit.
  'points.awarded': [
    ...gen2Common,
    ...gen2User,
    required('data.points.amount', 'integer'),
    optional('data.points.balance', 'integer'),
    optional('data.points.reason', 'string'),
  ],
  // Assumption: { referral: { id, referrerId, refereeId }, reward? }.
  'referral.referrer_credited': [
    ...gen2Common,
    ...gen2User,
    required('data.referral.id', 'string-or-number'),
    optional('data.reward.id', 'string-or-number'),
  ],
  'referral.referee_credited': [
    ...gen2Common,
    ...gen2User,
    required('data.referral.id', 'string-or-number'),
    optional('data.reward.id', 'string-or-number'),
  ],
  'user.registered': [...gen2Common, ...gen2User],
  'challenge-started': [...gen1Common, ...gen1Source],
  'challenge-completion': [...gen1Common, ...gen1Source, optional('payload.challengeId', 'string-or-number')],
  'action-participation': [
    ...gen1Common,
    ...gen1Source,
    optional('payload.actionId', 'string-or-number'),
    optional('payload.actionType', 'string'),
    optional('payload.challengeId', 'string-or-number'),
    optional('payload.isCorrect', 'boolean'),
    optional('payload.completedAt', 'date'),
    optional('payload.pointsEarned', 'integer'),
    optional('payload.xpEarned', 'integer'),
  ],
  'reward-distribution': [...gen1Common, ...gen1Source, optional('payload.points', 'integer'), optional('payload.xp', 'integer')],
  'reward-claim': [...gen1Common, ...gen1Source],
  'reward-redemption': [...gen1Common, ...gen1Source],
  'shop-purchase': [...gen1Common, optional('payload.pointsSpent', 'integer')],
  'achievement-completion': [...gen1Common, ...gen1Source],
  'post-like': [...gen1Common, required('payload.postId', 'string-or-number')],
  'post-comment': [...gen1Common, required('payload.postId', 'string-or-number'), optional('payload.commentId', 'string-or-number')],
  'streak-extended': [...gen1Common, optional('payload.streakDays', 'integer')],
  'auth.email': [...gen1Common],
}

/**
 * Checks a known event's payload before a consumer processes it and answers every problem
 * found (empty when valid). Unknown events have no rules: consumers decide what to do with
 * them, and ingest stores them regardless.
 */
export function validateNudjEvent(event: NudjEvent): Problem[] {
  const eventRules = event.category === 'shopify' ? [required('timestamp', 'date'), required('data', 'object')] : rules[event.event]
  if (!eventRules) return []
  const problems: Problem[] = []
  for (const rule of eventRules) {
    const value = at(event.body, rule.path)
    if (value === undefined || value === null) {
      if (rule.required) problems.push({ path: rule.path, message: `is required (${describe(rule.kind)})` })
      continue
    }
    if (!matches(value, rule.kind)) problems.push({ path: rule.path, message: `must be ${describe(rule.kind)}, got ${shown(value)}` })
  }
  return problems
}

function at(body: Record<string, unknown>, path: string): unknown {
  let value: unknown = body
  for (const key of path.split('.')) {
    if (typeof value !== 'object' || value === null || Array.isArray(value) || !Object.hasOwn(value, key)) return undefined
    value = (value as Record<string, unknown>)[key]
  }
  return value
}

function matches(value: unknown, kind: Kind): boolean {
  switch (kind) {
    case 'string':
      return typeof value === 'string'
    case 'number':
      return typeof value === 'number' && Number.isFinite(value)
    case 'integer':
      return Number.isSafeInteger(value)
    case 'boolean':
      return typeof value === 'boolean'
    case 'date':
      return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value) && !Number.isNaN(Date.parse(value))
    case 'email':
      return typeof value === 'string' && /^[^\s@]+@[^\s@]+$/.test(value)
    case 'object':
      return typeof value === 'object' && !Array.isArray(value)
    case 'string-or-number':
      return (typeof value === 'string' && value !== '') || (typeof value === 'number' && Number.isFinite(value))
  }
}

function describe(kind: Kind): string {
  const words: Record<Kind, string> = {
    string: 'a string',
    number: 'a finite number',
    integer: 'an integer',
    boolean: 'true or false',
    date: 'an ISO 8601 date-time',
    email: 'an email address',
    object: 'an object',
    'string-or-number': 'a non-empty string or a number',
  }
  return words[kind]
}

function shown(value: unknown): string {
  const text = preview(value, 41)
  return text.length > 40 ? `${text.slice(0, 37)}...` : text
}

/**
 * The start of `value` as JSON, written only until it passes `budget` characters. Never
 * JSON.stringify on an object: a body nested 200,000 levels deep overflows its stack
 * (RangeError), and a wide one costs its whole size for 40 characters. Each level writes at
 * least one character, so the recursion is never deeper than the budget.
 */
function preview(value: unknown, budget: number): string {
  if (typeof value === 'string') return JSON.stringify(value.slice(0, Math.max(0, budget)))
  if (typeof value !== 'object' || value === null) return JSON.stringify(value) ?? String(value)
  const array = Array.isArray(value)
  let text = array ? '[' : '{'
  for (const key in value) {
    if (text.length >= budget) return text
    if (text.length > 1) text += ','
    if (!array) text += `${JSON.stringify(key.slice(0, budget))}:`
    text += preview((value as Record<string, unknown>)[key], budget - text.length)
  }
  return text + (array ? ']' : '}')
}
