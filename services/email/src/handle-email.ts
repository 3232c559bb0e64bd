import type { NudjEvent } from '@nudj-webhooks/contracts'
import type { Handler } from '@nudj-webhooks/kafka'
import type { Contacts } from './create-contacts.ts'
import type { EmailMetrics } from './create-email-metrics.ts'
import type { SendEmail } from './create-send-email.ts'
import { isFinal, type SendLedger } from './create-send-ledger.ts'
import type { WaitingSends } from './create-waiting-sends.ts'
import type { Routes } from './load-routes.ts'
import { readContact } from './read-contact.ts'

export type HandleEmailDeps = {
  group: string
  routes: Routes
  contacts: Contacts
  ledger: SendLedger
  waiting: WaitingSends
  send: SendEmail
  metrics: EmailMetrics
}

/**
 * One webhook: a user event updates the contact table (and releases that user's waiting
 * sends); a routed event becomes at most one email, now or, when its user's address is not
 * known yet, once it is (`waiting`). The runtime (effect 'external') claims the id before and
 * completes it after; the send ledger records the SMTP side, so a rerun knows whether an
 * earlier attempt may have reached the server (see README, "Once per webhook").
 */
export function createHandleEmail(deps: HandleEmailDeps): Handler<NudjEvent, 'external'> {
  const { group, ledger, metrics, waiting } = deps
  return async (event, ctx) => {
    if (event.category === 'user') {
      const contact = readContact(event)
      if (contact && event.occurredAt) {
        await deps.contacts.upsert(contact, event.occurredAt)
        metrics.contactsUpdated.inc()
        // After the upsert committed, never before: see create-waiting-sends.ts.
        if (contact.email || contact.emailProblem) await waiting.release(contact.userId)
      }
      return
    }
    const route = deps.routes.get(event.canonical)
    if (!route?.enabled) return
    const id = ctx.id
    // Only a run after an unfinished claim can find a decision of its own recorded before.
    if (ctx.unfinishedClaim && (await waiting.holds(id))) {
      ctx.logger.info('email already waiting for its recipient')
      return
    }
    const before = ctx.unfinishedClaim ? await ledger.get(group, id) : undefined
    // Decided by an earlier run whose completion in the runtime's ledger was lost: nothing more to do.
    if (before && isFinal(before.state)) {
      ctx.logger.info({ state: before.state }, 'email already handled by an earlier run')
      return
    }
    const userId = route.to === 'user' && !event.user.email ? event.user.id : undefined
    const contact = route.to === 'user' && event.user.id ? await deps.contacts.get(event.user.id) : undefined
    // Nudj does not order deliveries: the user's address may still be on its way.
    if (userId && !contact?.email && !contact?.emailProblem) {
      await waiting.park(event, id, userId, route.template)
      return
    }
    await deps.send({ event, id, route, contact, before, signal: ctx.signal, logger: ctx.logger })
  }
}
