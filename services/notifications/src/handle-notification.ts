import type { NudjEvent } from '@nudj-webhooks/contracts'
import type { BatchHandler, ConsumerMessage, Handler } from '@nudj-webhooks/kafka'
import type { BurstDetector } from './create-burst-detector.ts'
import type { ChatOutbox } from './create-chat-outbox.ts'
import type { Inbox, NewNotification, Queryable } from './create-inbox.ts'
import type { NotificationsMetrics } from './create-notifications-metrics.ts'
import { escapeChat, renderTemplate, type Rule } from './rules.ts'

export type HandleNotificationDeps = {
  rulesFor: (canonical: string) => Rule[]
  inbox: Pick<Inbox, 'insertMany'>
  chat: Pick<ChatOutbox, 'record'>
  burst: Pick<BurstDetector, 'record'>
  metrics: Pick<NotificationsMetrics, 'created'>
}

type Item = { event: NudjEvent; id: string; message: ConsumerMessage }

/** The user a user-facing notification is for: Nudj's user id, else the external id. */
function userIdOf(event: NudjEvent): string | undefined {
  return event.user.id ?? event.user.externalId
}

/** What the templates see: gen-2 `data`, or gen-1 `payload`, plus the normalised fields. */
function templateContext(event: NudjEvent): Record<string, unknown> {
  const data = event.body.data ?? event.body.payload ?? {}
  return { event: event.canonical, user: event.user, entities: event.entities, data }
}

const failedAt = (item: Item): Date => new Date(item.event.occurredAt ?? item.message.timestamp)

/**
 * Applies the rules to events inside the consumer's transaction (the ledger rows commit with
 * it). Operator rules record a chat alert in the outbox (key `<webhook id>:<rule>`, posted
 * after commit), and delivery failures count towards the burst alert (in event-time order, so
 * window locks are always taken in one order); then every user row is written in one
 * statement. A failure anywhere rolls all of it back, recorded alerts included: the runtime
 * retries message by message and each alert is recorded, and posted, once.
 */
function createApplyNotifications(deps: HandleNotificationDeps) {
  return async (items: Item[], tx: Queryable): Promise<void> => {
    const rows: NewNotification[] = []
    const failures: Item[] = []
    for (const item of items) {
      const { event, id } = item
      const context = templateContext(event)
      for (const rule of deps.rulesFor(event.canonical)) {
        const title = renderTemplate(rule.title, context)
        const body = renderTemplate(rule.body, context)
        if (rule.audience === 'operator') {
          const text = `*${escapeChat(title)}*\n${escapeChat(body)}`
          const message = { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] }
          if (await deps.chat.record(tx, message, `${id}:${rule.id}`)) deps.metrics.created.inc({ rule: rule.id })
          continue
        }
        const userId = userIdOf(event)
        if (!userId) throw userMissing(`${event.canonical} names no user, so rule ${rule.id} has no one to notify`)
        const data = { event: event.canonical, webhookId: id, entities: event.entities }
        rows.push({ userId, webhookId: id, rule: rule.id, title, body, data, occurredAt: event.occurredAt ?? null })
      }
      if (event.canonical === 'reward.delivery_failed') failures.push(item)
    }
    failures.sort((a, b) => failedAt(a).getTime() - failedAt(b).getTime())
    for (const item of failures) await deps.burst.record(tx, item.id, failedAt(item))
    for (const rule of await deps.inbox.insertMany(tx, rows)) deps.metrics.created.inc({ rule })
  }
}

/** The runtime's two entry points over the same rules: one message, or a fetched batch. */
export function createHandleNotification(deps: HandleNotificationDeps): {
  handler: Handler<NudjEvent, 'postgres'>
  batchHandler: BatchHandler<NudjEvent>
} {
  const apply = createApplyNotifications(deps)
  return {
    handler: async (event, ctx) => await apply([{ event, id: ctx.id, message: ctx.message }], ctx.tx),
    batchHandler: async (items, ctx) => await apply(items, ctx.tx),
  }
}

/** The same event fails the same way every time: the runtime reads `retryable` and dead-letters it. */
function userMissing(message: string): Error {
  return Object.assign(new Error(message), { name: 'NotificationError', code: 'USER_MISSING', retryable: false })
}
