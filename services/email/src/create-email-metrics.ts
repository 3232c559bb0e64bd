import { Counter, Gauge, Histogram, type Registry } from 'prom-client'
import { recipientProblems } from './parse-recipient.ts'
import { templateNames } from './templates/template-catalog.ts'

export type EmailMetrics = ReturnType<typeof createEmailMetrics>

/**
 * The service's own metrics; the runtime adds webhooks_consumer_*. Labels are bounded (template
 * names, two kinds). `countWaiting` is read at each scrape (the table is shared by every replica).
 */
export function createEmailMetrics(registry: Registry, countWaiting: () => Promise<{ waiting: number; failed: number }>) {
  const sent = new Counter({
    name: 'webhooks_email_sent_total',
    help: 'Emails the SMTP server accepted, by template',
    labelNames: ['template'],
    registers: [registry],
  })
  for (const template of templateNames) sent.labels({ template }).inc(0)
  const failed = new Counter({
    name: 'webhooks_email_failed_total',
    help: 'SMTP sends that failed: transient (4xx, timeouts, connection loss, server down) or permanent (5xx)',
    labelNames: ['kind'],
    registers: [registry],
  })
  for (const kind of ['transient', 'permanent']) failed.labels({ kind }).inc(0)
  const invalidRecipient = new Counter({
    name: 'webhooks_email_invalid_recipient_total',
    help: 'Routed events acknowledged without an email: the recipient is not exactly one plain address, by problem',
    labelNames: ['problem'],
    registers: [registry],
  })
  for (const problem of recipientProblems) invalidRecipient.labels({ problem }).inc(0)
  const waitingSends = new Gauge({
    name: 'webhooks_email_waiting_sends',
    help: "Routed events of this group waiting for their user's address (state waiting), or failed after it came (state failed)",
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      // A scrape while Postgres is away keeps the last values rather than failing /metrics.
      const counts = await countWaiting().catch(() => undefined)
      if (!counts) return
      this.set({ state: 'waiting' }, counts.waiting)
      this.set({ state: 'failed' }, counts.failed)
    },
  })
  return {
    sent,
    waitingSends,
    failed,
    invalidRecipient,
    suppressed: new Counter({
      name: 'webhooks_email_suppressed_total',
      help: 'Emails not sent because the recipient is suppressed',
      registers: [registry],
    }),
    noRecipient: new Counter({
      name: 'webhooks_email_no_recipient_total',
      help: 'Routed events acknowledged without an email: no address in the event nor in the contact table',
      registers: [registry],
    }),
    resent: new Counter({
      name: 'webhooks_email_resent_total',
      help: 'Sends after an earlier attempt of the same webhook may have reached the server (same Message-ID)',
      registers: [registry],
    }),
    recipientWaits: new Counter({
      name: 'webhooks_email_recipient_waits_total',
      help: "Routed events parked until their user's address is known (EMAIL_RECIPIENT_WAIT at most)",
      registers: [registry],
    }),
    recipientWait: new Histogram({
      name: 'webhooks_email_recipient_wait_seconds',
      help: 'Time from parking a routed event to its decision (sent, refused, no_recipient), for parked events',
      buckets: [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600],
      registers: [registry],
    }),
    contactsUpdated: new Counter({
      name: 'webhooks_email_contact_updates_total',
      help: 'User events applied to the contact table',
      registers: [registry],
    }),
    sendDuration: new Histogram({
      name: 'webhooks_email_send_duration_seconds',
      help: 'Time from handing a message to the SMTP transport to its accept or refusal',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
  }
}
