// The SMTP TLS settings against a Mailpit of the test's own that offers STARTTLS with a
// self-signed certificate: required STARTTLS works when told not to verify the certificate,
// and the default (verify) refuses it, which pauses the group instead of losing the email.
import { createMailpitInbox, startDisposableMailpit, uniqueName, waitFor, type DisposableMailpit } from '@nudj-webhooks/testing'
import { afterAll, beforeAll, expect, inject, it } from 'vitest'
import { gen2, startTestEmail } from './email-harness.ts'
import { selfSignedCert } from './self-signed-cert.ts'

const infra = inject('infra')
const run = uniqueName('t').replace(/_/g, '-')
let mailpit: DisposableMailpit
beforeAll(async () => {
  const cert = await selfSignedCert()
  mailpit = await startDisposableMailpit({ args: ['--smtp-tls-cert', cert.certFile, '--smtp-tls-key', cert.keyFile] })
})
afterAll(async () => await mailpit?.stop())

const body = (who: string) =>
  gen2('challenge.completed', { user: { id: who, email: `${who}.${run}@example.com` }, challenge: { id: 'c', name: 'TLS' } })

it('sends over required STARTTLS, and pauses rather than send when the certificate does not verify', async () => {
  const trusting = await startTestEmail(infra, {
    env: { SMTP_URL: mailpit.smtpUrl, SMTP_REQUIRE_TLS: 'true', SMTP_TLS_REJECT_UNAUTHORIZED: 'false' },
  })
  try {
    await trusting.send(body('tls'), `wh-${run}-tls`)
    await createMailpitInbox(mailpit.apiUrl).waitForMessages(`to:"tls.${run}@example.com"`, 1, 20_000)
  } finally {
    await trusting.close()
  }
  const verifying = await startTestEmail(infra, { env: { SMTP_URL: mailpit.smtpUrl, SMTP_REQUIRE_TLS: 'true' } })
  try {
    await verifying.send(body('untrusted'), `wh-${run}-untrusted`)
    await waitFor(async () => (await verifying.metric('webhooks_consumer_paused_partitions', 'reason="outage"')) > 0, {
      timeoutMs: 20_000,
      message: 'an unverifiable certificate did not pause the group',
    })
    expect(await verifying.metric('webhooks_consumer_dlq_total')).toBe(0)
    expect(await createMailpitInbox(mailpit.apiUrl).search(`to:"untrusted.${run}@example.com"`)).toHaveLength(0)
  } finally {
    await verifying.close()
  }
})
