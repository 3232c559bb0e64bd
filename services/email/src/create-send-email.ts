import type { NudjEvent } from '@nudj-webhooks/contracts'
import type { Logger } from 'pino'
import { classifySmtpError, isDefiniteRefusal, neverConnected } from './classify-smtp-error.ts'
import type { Contact } from './create-contacts.ts'
import type { EmailMetrics } from './create-email-metrics.ts'
import type { Mailer } from './create-mailer.ts'
import type { RateLimiter } from './create-rate-limiter.ts'
import type { SendLedger, SendRecord } from './create-send-ledger.ts'
import type { Suppressions } from './create-suppressions.ts'
import type { Route } from './load-routes.ts'
import { messageIdFor } from './message-id.ts'
import { parseRecipient, type ParsedRecipient } from './parse-recipient.ts'
import { formattersFor, pickLocale } from './templates/create-formatters.ts'
import { readEventFacts } from './templates/event-facts.ts'
import { renderEmail } from './templates/render-email.ts'
import { unsubscribeHeaders } from './unsubscribe-headers.ts'

export type SendEmailDeps = {
  group: string
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

/** One routed event's email, decided now: its user's contact (if any) is given. */
export type SendJob = {
  event: NudjEvent
  id: string
  route: Route
  contact?: Contact
  /** The send ledger's row from an earlier, unfinished run (its `sending` means: resend, same Message-ID). */
  before?: SendRecord
  signal: AbortSignal
  logger: Logger
}

export type SendEmail = (job: SendJob) => Promise<void>

/**
 * Recipient, recipient rules, suppression, render, send, each decision recorded in the send
 * ledger (see README, "Once per webhook"). Used by the handler and by the waiting sends'
 * loop alike; throws the classified SMTP failure (an EmailError).
 */
export function createSendEmail(deps: SendEmailDeps): SendEmail {
  const { group, ledger, metrics } = deps
  return async ({ event, id, route, contact, before, signal, logger }) => {
    // A support route reads in the default locale and greets nobody by name.
    const forUser = route.to === 'user'
    const given = route.to === 'user' ? (event.user.email ?? contact?.email) : route.to.address
    // Exactly one plain address, or no email at all: never a header that names a second mailbox.
    // Without one, the contact may hold the problem of the address its user event gave (refused then).
    const refused = forUser ? contact?.emailProblem : undefined
    const parsed: ParsedRecipient | undefined = given ? parseRecipient(given) : refused && { ok: false, problem: refused }
    if (!parsed) {
      metrics.noRecipient.inc()
      await ledger.skipped(group, id, event.canonical, 'no_recipient')
      return
    }
    if (!parsed.ok) {
      metrics.invalidRecipient.inc({ problem: parsed.problem })
      logger.warn({ problem: parsed.problem }, 'email not sent: the recipient is not one plain address')
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
    await deps.limiter.acquire(signal)
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
      // Timeouts and lost connections stay 'sending' (the server may have the message); the attempt is over all the same.
      if (isDefiniteRefusal(failure) || neverConnected(err))
        await ledger.refused(group, id, failure.code === 'SMTP_REJECTED' ? 'rejected' : 'deferred', failure.message)
      else await ledger.release(group, id)
      throw failure
    } finally {
      metrics.sendDuration.observe((performance.now() - began) / 1000)
    }
    await ledger.sent(group, id, reply, resumed)
    metrics.sent.inc({ template: route.template })
    if (resumed) {
      metrics.resent.inc()
      logger.warn({ messageId, attempts: (before?.attempts ?? 0) + 1 }, 'email resent after an unfinished send (same Message-ID)')
    }
  }
}
