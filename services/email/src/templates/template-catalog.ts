import type { Formatters } from './create-formatters.ts'
import type { EventFacts } from './event-facts.ts'
import { mj, type Markup } from './markup.ts'

export type TemplateInput = { facts: EventFacts; format: Formatters; name?: string }

/** One template: the subject line and the MJML content of the body (the layout adds the frame). */
export type Template = (input: TemplateInput) => { subject: string; preheader: string; content: Markup }

const hello = (name: string | undefined): Markup => mj`<mj-text font-size="18px">${name ? `Hi ${name},` : 'Hi,'}</mj-text>`
const when = (input: TemplateInput): Markup => {
  const date = input.format.date(input.facts.occurredAt)
  return mj`${date ? mj`<mj-text color="#666666" font-size="13px">${date}</mj-text>` : ''}`
}
const rewardTitle = ({ facts, format }: TemplateInput): string => {
  const value = format.amount(facts.rewardValue, facts.rewardCurrency)
  const name = facts.rewardName ?? 'a reward'
  return value && !name.includes(String(facts.rewardValue)) ? `${name} (${value})` : name
}

export const templates: Record<string, Template> = {
  'reward-earned': (input) => ({
    subject: `You earned ${rewardTitle(input)}`,
    preheader: 'A new reward is waiting for you.',
    content: mj`${hello(input.name)}<mj-text>Congratulations: you earned <strong>${rewardTitle(input)}</strong>${
      input.facts.challengeName ? mj` for completing <strong>${input.facts.challengeName}</strong>` : ''
    }.</mj-text>${when(input)}`,
  }),
  'reward-delivered': (input) => {
    const { rewardCode: code, rewardLink: link } = input.facts
    return {
      subject: `Your reward is ready: ${rewardTitle(input)}`,
      preheader: code ? 'Your code is inside.' : 'Your reward has been delivered.',
      content: mj`${hello(input.name)}<mj-text>Your reward <strong>${rewardTitle(input)}</strong> has been delivered.</mj-text>${
        code ? mj`<mj-text>Your code: <strong style="font-family:monospace;font-size:18px">${code}</strong></mj-text>` : ''
      }${link ? mj`<mj-button href="${link}" background-color="#4b3bff">Open your reward</mj-button><mj-text font-size="12px">${link}</mj-text>` : ''}${when(input)}`,
    }
  },
  'reward-delivery-failed': (input) => ({
    subject: `Reward delivery failed: ${rewardTitle(input)} for user ${input.facts.userId ?? 'unknown'}`,
    preheader: 'A reward could not be delivered after retries.',
    content: mj`<mj-text>Nudj could not deliver a reward after its retries.</mj-text>
<mj-text>Reward: ${rewardTitle(input)}<br />User: ${input.facts.userId ?? 'unknown'}<br />Error: ${input.facts.error ?? 'not given'}<br />When: ${input.format.date(input.facts.occurredAt)}</mj-text>`,
  }),
  'challenge-completed': (input) => {
    const challenge = input.facts.challengeName ?? 'a challenge'
    return {
      subject: `You completed ${challenge}`,
      preheader: 'Well done!',
      content: mj`${hello(input.name)}<mj-text>Well done: you completed <strong>${challenge}</strong>.</mj-text>${when(input)}`,
    }
  },
  'achievement-earned': (input) => {
    const { achievementName: name = 'an achievement', achievementTier: tier } = input.facts
    const tierText = tier !== undefined ? ` (tier ${input.format.number(tier)})` : ''
    return {
      subject: `Achievement unlocked: ${name}${tierText}`,
      preheader: 'You reached a new achievement.',
      content: mj`${hello(input.name)}<mj-text>You unlocked <strong>${name}</strong>${tierText}.</mj-text>${when(input)}`,
    }
  },
  'referral-referrer-credited': (input) => ({
    subject: `Your referral paid off: ${rewardTitle(input)}`,
    preheader: 'Thanks for inviting a friend.',
    content: mj`${hello(input.name)}<mj-text>A friend you invited joined, and you received <strong>${rewardTitle(input)}</strong>.</mj-text>${when(input)}`,
  }),
  'referral-referee-credited': (input) => ({
    subject: `Welcome! ${rewardTitle(input)} is yours`,
    preheader: 'A welcome reward for joining.',
    content: mj`${hello(input.name)}<mj-text>Welcome aboard: your welcome reward <strong>${rewardTitle(input)}</strong> has been credited.</mj-text>${when(input)}`,
  }),
}

export const templateNames = Object.keys(templates)
