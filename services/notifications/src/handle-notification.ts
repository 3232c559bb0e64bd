import type { NudjEvent } from '@nudj-webhooks/contracts'
import { FatalError, type Handler } from '@nudj-webhooks/kafka'
import type { BurstDetector } from './create-burst-detector.ts'
import type { SendChat } from './create-chat-sender.ts'
import type { Inbox } from './create-inbox.ts'
import type { NotificationsMetrics } from './create-notifications-metrics.ts'
import { escapeChat, renderTemplate, type Rule } from './rules.ts'

export type HandleDeps = {
  rulesFor: (canonical: string) => Rule[]
  inbox: Inbox
  sendChat: SendChat
  burst: BurstDetector
  metrics: NotificationsMetrics
}

/** The user a user-facing notification is for: Nudj's user id, else the external id. */
export function userIdOf(event: NudjEvent): string | undefined {
  return event.user.id ?? event.user.externalId
}

/** What the templates see: gen-2 `data`, or gen-1 `payload`, plus the normalised fields. */
function templateContext(event: NudjEvent): Record<string, unknown> {
  const data = event.body.data ?? event.body.payload ?? {}
  return { event: event.canonical, user: event.user, entities: event.entities, data }
}

/**
 * Every rule of the event, in order: user rules write an inbox row once per (webhook id,
 * rule) and NOTIFY the replicas; operator rules post to the chat webhook with the
 * idempotency key `<webhook id>:<rule>`. A reward.delivery_failed also counts towards the
 * burst alert. Safe to run again for the same webhook (a retry, an unfinished claim).
 */
export function createHandleNotification(deps: HandleDeps): Handler<NudjEvent> {
  return async (event, ctx) => {
    const context = templateContext(event)
    for (const rule of deps.rulesFor(event.canonical)) {
      const title = renderTemplate(rule.title, context)
      const body = renderTemplate(rule.body, context)
      if (rule.audience === 'user') {
        const userId = userIdOf(event)
        if (!userId) throw new FatalError('USER_MISSING', `${event.canonical} names no user, so rule ${rule.id} has no one to notify`)
        const id = await deps.inbox.insert({
          userId,
          webhookId: ctx.id,
          rule: rule.id,
          title,
          body,
          data: { event: event.canonical, webhookId: ctx.id, entities: event.entities },
          occurredAt: event.occurredAt ?? null,
        })
        if (id !== undefined) deps.metrics.created.inc({ rule: rule.id })
        continue
      }
      const text = `*${escapeChat(title)}*\n${escapeChat(body)}`
      await deps.sendChat({ text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] }, `${ctx.id}:${rule.id}`, ctx.signal)
      deps.metrics.created.inc({ rule: rule.id })
    }
    if (event.canonical === 'reward.delivery_failed') {
      const occurredAt = new Date(event.occurredAt ?? ctx.message.timestamp)
      await deps.burst.record(ctx.id, occurredAt, ctx.signal)
    }
  }
}
