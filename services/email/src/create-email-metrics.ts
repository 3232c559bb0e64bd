import { Counter, Histogram, type Registry } from 'prom-client'
import { recipientProblems } from './parse-recipient.ts'
import { templateNames } from './templates/template-catalog.ts'

export type EmailMetrics = ReturnType<typeof createEmailMetrics>

/** The service's own metrics; the runtime adds webhooks_consumer_*. Labels are bounded (template names, two kinds). */
export function createEmailMetrics(registry: Registry) {
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
  return {
    sent,
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
