import type { NudjEvent } from '@nudj-webhooks/contracts'
import type { Handler } from '@nudj-webhooks/kafka'
import { classifySmtpError, isDefiniteRefusal, neverConnected } from './classify-smtp-error.ts'
import type { Contacts } from './create-contacts.ts'
import type { EmailMetrics } from './create-email-metrics.ts'
import type { Mailer } from './create-mailer.ts'
import type { RateLimiter } from './create-rate-limiter.ts'
import type { SendLedger, SendState } from './create-send-ledger.ts'
import type { Suppressions } from './create-suppressions.ts'
import type { Routes } from './load-routes.ts'
import { messageIdFor } from './message-id.ts'
import { parseRecipient } from './parse-recipient.ts'
import { readContact } from './read-contact.ts'
import { formattersFor, pickLocale } from './templates/create-formatters.ts'
import { readEventFacts } from './templates/event-facts.ts'
import { renderEmail } from './templates/render-email.ts'
import { unsubscribeHeaders } from './unsubscribe-headers.ts'

export type HandleEventDeps = {
  group: string
  routes: Routes
  contacts: Contacts
  suppressions: Suppressions
  ledger: SendLedger
  mailer: Mailer
  limiter: RateLimiter
  metrics: EmailMetrics
  from: string
  messageIdDomain: string
  defaultLocale: string
  unsubscribe: { mailto: string; url: string }
}

const finalStates = new Set<SendState>(['sent', 'suppressed', 'no_recipient', 'invalid_recipient'])

/**
 * One webhook: a user event updates the contact table; a routed event becomes at most one
 * email. The runtime (effect 'external') claims the id before and completes it after; the
 * send ledger below records the SMTP side, so a rerun knows whether an earlier attempt may
 * have reached the server (see README, "Once per webhook").
 */
export function createHandleEvent(deps: HandleEventDeps): Handler<NudjEvent> {
  const { group, ledger, metrics } = deps
  return async (event, ctx) => {
    if (event.category === 'user') {
      const contact = readContact(event)
      if (contact && event.occurredAt) {
        await deps.contacts.upsert(contact, event.occurredAt)
        metrics.contactsUpdated.inc()
      }
      return
    }
    const route = deps.routes.get(event.canonical)
    if (!route?.enabled) return
    const id = ctx.id
    // Only a run after an unfinished claim can find a send of its own recorded before.
    const before = ctx.unfinishedClaim ? await ledger.get(group, id) : undefined
    // Decided by an earlier run whose completion in the runtime's ledger was lost: nothing more to do.
    if (before && finalStates.has(before.state)) {
      ctx.logger.info({ state: before.state }, 'email already handled by an earlier run')
      return
    }
    // A support route reads in the default locale and greets nobody by name.
    const forUser = route.to === 'user'
    const contact = forUser && event.user.id ? await deps.contacts.get(event.user.id) : undefined
    const given = route.to === 'user' ? (event.user.email ?? contact?.email) : route.to.address
    if (!given) {
      metrics.noRecipient.inc()
      await ledger.skipped(group, id, event.canonical, 'no_recipient')
      return
    }
    // Exactly one plain address, or no email at all: never a header that names a second mailbox.
    const parsed = parseRecipient(given)
    if (!parsed.ok) {
      metrics.invalidRecipient.inc({ problem: parsed.problem })
      ctx.logger.warn({ problem: parsed.problem }, 'email not sent: the recipient is not one plain address')
      await ledger.skipped(group, id, event.canonical, 'invalid_recipient', parsed.problem)
      return
    }
    const recipient = parsed.address
    if (await deps.suppressions.isSuppressed(parsed.key)) {
      metrics.suppressed.inc()
      await ledger.skipped(group, id, event.canonical, 'suppressed')
      return
    }
    const locale = pickLocale(contact?.locale, deps.defaultLocale)
    const footer = forUser
      ? 'You receive this email because of your activity on Nudj. To stop these emails, use the unsubscribe link of your email program.'
      : 'Sent to the support address configured for this event.'
    const rendered = await renderEmail(
      route.template,
      { facts: readEventFacts(event), format: formattersFor(locale), name: contact?.name },
      footer,
    )
    const messageId = messageIdFor(id, deps.messageIdDomain)
    // 'sending' left behind means an earlier attempt may have reached the server: resend, same Message-ID.
    const resumed = before?.state === 'sending'
    await deps.limiter.acquire(ctx.signal)
    await ledger.claim(group, id, { event: event.canonical, template: route.template, recipient, messageId })
    const began = performance.now()
    let reply: string
    try {
      ;({ response: reply } = await deps.mailer.send({
        from: deps.from,
        to: recipient,
        subject: rendered.subject,
        html: rendered.html,
        text: rendered.text,
        messageId,
        headers: {
          ...(forUser ? unsubscribeHeaders(recipient, deps.unsubscribe) : {}),
          'X-Nudj-Event': event.canonical,
          'Auto-Submitted': 'auto-generated',
        },
      }))
    } catch (err) {
      const failure = await classifySmtpError(err, deps.mailer.verify)
      metrics.failed.inc({ kind: failure.code === 'SMTP_REJECTED' ? 'permanent' : 'transient' })
      // Timeouts and lost connections stay 'sending': the server may have the message.
      if (isDefiniteRefusal(failure) || neverConnected(err))
        await ledger.refused(group, id, failure.code === 'SMTP_REJECTED' ? 'rejected' : 'deferred', failure.message)
      throw failure
    } finally {
      metrics.sendDuration.observe((performance.now() - began) / 1000)
    }
    await ledger.sent(group, id, reply, resumed)
    metrics.sent.inc({ template: route.template })
    if (resumed) {
      metrics.resent.inc()
      ctx.logger.warn({ messageId, attempts: (before?.attempts ?? 0) + 1 }, 'email resent after an unfinished send (same Message-ID)')
    }
  }
}
