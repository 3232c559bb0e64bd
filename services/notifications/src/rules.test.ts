import { describe, expect, it } from 'vitest'
import { defaultRules } from './default-rules.ts'
import { createRuleIndex, escapeChat, parseRules, renderTemplate } from './rules.ts'

describe('rules', () => {
  it('accepts the built-in rules and indexes them by canonical event', () => {
    const rulesFor = createRuleIndex(parseRules(defaultRules))
    expect(rulesFor('reward.earned').map((r) => r.id)).toEqual(['reward-earned'])
    expect(rulesFor('referral.referee_credited').map((r) => r.id)).toEqual(['referral-credited'])
    expect(rulesFor('reward.delivery_failed')[0]?.audience).toBe('operator')
    expect(rulesFor('action.completed')).toEqual([])
  })
  it('refuses unknown events, duplicate ids and malformed rules, naming each', () => {
    const rule = { id: 'a', events: ['reward.earned'], audience: 'user', title: 't', body: 'b' }
    expect(() => parseRules({ rules: [rule, rule] })).toThrow(/id used twice/)
    expect(() => parseRules({ rules: [{ ...rule, events: ['reward.nope'] }] })).toThrow(/not a canonical event/)
    expect(() => parseRules({ rules: [{ ...rule, audience: 'everyone' }] })).toThrow(/audience/)
  })
  it('fills templates with fallbacks and strips control characters', () => {
    const context = { data: { reward: { name: 'Mug\n<b>' } } }
    expect(renderTemplate('You earned {{data.reward.name}}.', context)).toBe('You earned Mug <b>.')
    expect(renderTemplate('{{data.points.amount|Some}} points', context)).toBe('Some points')
    expect(escapeChat('<!channel> & co')).toBe('&lt;!channel&gt; &amp; co')
  })
})
