// SMTP failures against a Mailpit of the test's own: down for everyone (the group pauses),
// a 5xx reply (DLQ with the reply), a 4xx reply then success (a retry topic, one email).
import {
  consumeUntil,
  createMailpitInbox,
  freePort,
  uniqueName,
  waitFor,
  startDisposableMailpit,
  type DisposableMailpit,
} from '@nudj-webhooks/testing'
import { Kafka, logLevel } from 'kafkajs'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { gen2, startTestEmail, type TestEmail } from './email-harness.ts'

const infra = inject('infra')
const run = uniqueName('f').replace(/_/g, '-')
const address = (who: string): string => `${who}.${run}@example.com`
const completed = (who: string) =>
  gen2('challenge.completed', { user: { id: `usr-${who}`, email: address(who) }, challenge: { id: 'c1', name: who } })

let smtpPort: number
let mailpit: DisposableMailpit | undefined
let email: TestEmail
beforeAll(async () => {
  smtpPort = await freePort()
  // Nothing listens on the SMTP port yet: the first test starts Mailpit there.
  email = await startTestEmail(infra, { env: { SMTP_URL: `smtp://127.0.0.1:${smtpPort}`, EMAIL_RETRY_SCHEDULE: '2s,3s,4s' } })
})
afterAll(async () => {
  await email?.close()
  await mailpit?.stop()
})

const sendRow = async (id: string) =>
  (await email.pool.query('SELECT state, attempts, resumed, smtp_reply FROM email_sends WHERE webhook_id = $1', [id])).rows[0] as
    { state: string; attempts: number; resumed: boolean; smtp_reply: string | null } | undefined

describe('SMTP failures', () => {
  it('pauses the group while the SMTP server is down for everyone, and sends once it is back', async () => {
    await email.send(completed('down'), `wh-${run}-down`)
    await waitFor(async () => (await email.metric('webhooks_consumer_paused_partitions', 'reason="outage"')) > 0, {
      timeoutMs: 20_000,
      message: 'the partition was not paused for the SMTP outage',
    })
    expect(await email.metric('webhooks_consumer_retries_total')).toBe(0)
    expect(await email.metric('webhooks_consumer_dlq_total')).toBe(0)
    mailpit = await startDisposableMailpit({ smtpPort })
    const inbox = createMailpitInbox(mailpit.apiUrl)
    await inbox.waitForMessages(`to:"${address('down')}"`, 1, 30_000)
    await waitFor(async () => (await email.metric('webhooks_consumer_paused_partitions', 'reason="outage"')) === 0, { timeoutMs: 10_000 })
    expect(await email.metric('webhooks_consumer_dlq_total')).toBe(0)
    // The ledger records the send after SMTP accepted it: wait for the row, not the inbox.
    await waitFor(async () => (await sendRow(`wh-${run}-down`))?.state === 'sent', { timeoutMs: 10_000 })
    // Refused connections never carried the message: the send after the outage is not a resend.
    expect(await sendRow(`wh-${run}-down`)).toMatchObject({ state: 'sent', resumed: false })
  })

  it('sends a permanent refusal (5xx) to the DLQ with the SMTP reply', async () => {
    await mailpit!.failRecipients(550, 100)
    try {
      const id = `wh-${run}-permanent`
      await email.send(completed('permanent'), id)
      const kafka = new Kafka({ brokers: infra.kafkaBrokers, logLevel: logLevel.NOTHING })
      const records = await consumeUntil(kafka, {
        topics: [`${email.group}.dlq`],
        groupId: uniqueName('dlq_reader'),
        until: (all) => all.some((r) => r.message.key?.toString() === id),
      })
      const headers = records.find((r) => r.message.key?.toString() === id)!.message.headers ?? {}
      expect(String(headers['x-error-code'])).toBe('SMTP_REJECTED')
      expect(String(headers['x-error-message'])).toMatch(/550/)
      expect(await sendRow(id)).toMatchObject({ state: 'rejected', smtp_reply: expect.stringMatching(/550/) as unknown })
      expect(await email.metric('webhooks_email_failed_total', 'kind="permanent"')).toBe(1)
      expect(await createMailpitInbox(mailpit!.apiUrl).search(`to:"${address('permanent')}"`)).toHaveLength(0)
    } finally {
      await mailpit!.failRecipients(550, 0)
    }
  })

  it('retries a transient refusal (4xx) through a retry topic and sends exactly once when it passes', async () => {
    const id = `wh-${run}-transient`
    await mailpit!.failRecipients(451, 100)
    const before = await email.metric('webhooks_email_failed_total', 'kind="transient"')
    await email.send(completed('transient'), id)
    // The metric moves before the ledger's write commits: wait for the row itself.
    await waitFor(async () => (await sendRow(id))?.state === 'deferred', { timeoutMs: 20_000 })
    expect(await email.metric('webhooks_email_failed_total', 'kind="transient"')).toBeGreaterThan(before)
    await mailpit!.failRecipients(451, 0)
    const inbox = createMailpitInbox(mailpit!.apiUrl)
    await inbox.waitForMessages(`to:"${address('transient')}"`, 1, 20_000)
    await waitFor(async () => (await sendRow(id))?.state === 'sent', { timeoutMs: 10_000 })
    expect(await email.metric('webhooks_consumer_retries_total')).toBeGreaterThanOrEqual(1)
    expect(await email.metric('webhooks_consumer_dlq_total')).toBe(1) // only the permanent one
    // A definite 4xx refusal means the first attempt never reached the inbox: not a resend.
    expect(await sendRow(id)).toMatchObject({ state: 'sent', resumed: false })
    expect(await inbox.search(`to:"${address('transient')}"`)).toHaveLength(1)
  })
})
