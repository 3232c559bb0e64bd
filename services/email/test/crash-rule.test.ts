import { createMailpitInbox, uniqueName, waitFor } from '@nudj-webhooks/testing'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { messageIdFor } from '../src/message-id.ts'
import { gen2, startTestEmail, type TestEmail } from './email-harness.ts'

const infra = inject('infra')
const inbox = createMailpitInbox(infra.mailApiUrl)
const run = uniqueName('x').replace(/_/g, '-')
const address = (who: string): string => `${who}.${run}@example.com`
const user = (who: string) => ({ user: { id: `usr-${who}-${run}`, email: address(who) } })

let email: TestEmail
beforeAll(async () => {
  email = await startTestEmail(infra)
})
afterAll(async () => await email?.close())

describe('the rule for a crash between the send and its record', () => {
  it('after a crash between the send and its record, sends again with the same Message-ID and records it as resumed', async () => {
    // The crash is reproduced as the state it leaves (a SIGKILL cannot be timed into that
    // window): the runtime's claim and our send ledger both say an attempt was in flight.
    const resumedId = `wh-${run}-crash`
    const messageId = messageIdFor(resumedId, 'email.nudj-webhooks.local')
    await email.pool.query(`INSERT INTO consumer_ledger (consumer_group, webhook_id, state) VALUES ($1, $2, 'claimed')`, [
      email.group,
      resumedId,
    ])
    await email.pool.query(
      `INSERT INTO email_sends (consumer_group, webhook_id, event, template, recipient, message_id, state, attempts)
       VALUES ($1, $2, 'challenge.completed', 'challenge-completed', $3, $4, 'sending', 1)`,
      [email.group, resumedId, address('crash'), messageId],
    )
    // And the other window: the server accepted and our ledger recorded it, the runtime's completion was lost.
    const recordedId = `wh-${run}-recorded`
    await email.pool.query(`INSERT INTO consumer_ledger (consumer_group, webhook_id, state) VALUES ($1, $2, 'claimed')`, [
      email.group,
      recordedId,
    ])
    await email.pool.query(
      `INSERT INTO email_sends (consumer_group, webhook_id, event, state, attempts) VALUES ($1, $2, 'challenge.completed', 'sent', 1)`,
      [email.group, recordedId],
    )
    await email.send(gen2('challenge.completed', { ...user('crash'), challenge: { id: 'c1', name: 'Again' } }), resumedId)
    await email.send(gen2('challenge.completed', { ...user('recorded'), challenge: { id: 'c1', name: 'Once' } }), recordedId)

    const [resent] = await inbox.waitForMessages(`to:"${address('crash')}"`, 1, 20_000)
    expect(`<${resent!.MessageID}>`).toBe(messageId)
    const ledger = async (id: string) =>
      (
        await email.pool.query<{ state: string; attempts: number }>(
          'SELECT state, attempts FROM consumer_ledger WHERE consumer_group = $1 AND webhook_id = $2',
          [email.group, id],
        )
      ).rows[0]
    await waitFor(async () => (await ledger(recordedId))?.state === 'completed' && (await ledger(resumedId))?.state === 'completed', {
      timeoutMs: 20_000,
    })
    const { rows } = await email.pool.query('SELECT state, attempts, resumed FROM email_sends WHERE webhook_id = $1', [resumedId])
    expect(rows).toEqual([{ state: 'sent', attempts: 2, resumed: true }])
    expect(await email.metric('webhooks_email_resent_total')).toBe(1)
    expect(await inbox.search(`to:"${address('recorded')}"`)).toHaveLength(0)
  })
})
