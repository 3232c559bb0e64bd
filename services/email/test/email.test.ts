import { createMailpitInbox, uniqueName, waitFor } from '@nudj-webhooks/testing'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { messageIdFor } from '../src/message-id.ts'
import { adminToken, gen2, startTestEmail, type TestEmail } from './email-harness.ts'

const infra = inject('infra')
const inbox = createMailpitInbox(infra.mailApiUrl)
const run = uniqueName('r').replace(/_/g, '-')
const support = `support.${run}@example.com`
const address = (who: string): string => `${who}.${run}@example.com`

async function headersOf(id: string): Promise<Record<string, string[]>> {
  const response = await fetch(new URL(`/api/v1/message/${id}/headers`, infra.mailApiUrl))
  return (await response.json()) as Record<string, string[]>
}

const user = (who: string, extra: Record<string, unknown> = {}) => ({ user: { id: `usr-${who}-${run}`, email: address(who), ...extra } })
const reward = { id: 'rwd_1', name: '<script>alert(1)</script> & Co voucher', value: 25, currency: 'GBP' }

// Each routed event, the recipient it must reach, and what the email must say.
const cases = [
  {
    id: 'earned',
    body: gen2('reward.earned', { ...user('earned'), reward, challenge: { id: 'c1', name: 'Spring <steps>' } }),
    to: address('earned'),
    subject: 'You earned <script>alert(1)</script> & Co voucher (£25.00)',
    text: 'for completing Spring <steps>',
    html: 'Spring &lt;steps&gt;',
  },
  {
    id: 'delivered',
    body: gen2('reward.delivered', {
      ...user('delivered'),
      reward: { ...reward, code: 'SAVE-<b>7F</b>', link: 'https://rewards.example/r/7F?a=1&b=2' },
    }),
    to: address('delivered'),
    subject: 'Your reward is ready: <script>alert(1)</script> & Co voucher (£25.00)',
    text: 'Your code: SAVE-<b>7F</b>',
    html: 'SAVE-&lt;b&gt;7F&lt;/b&gt;',
  },
  {
    id: 'failed',
    body: gen2('reward.delivery_failed', { ...user('failed'), reward, error: 'provider said <no>' }),
    to: support,
    subject: `Reward delivery failed: <script>alert(1)</script> & Co voucher (£25.00) for user usr-failed-${run}`,
    text: 'Error: provider said <no>',
    html: 'provider said &lt;no&gt;',
  },
  {
    id: 'challenge',
    body: gen2('challenge.completed', { ...user('challenge'), challenge: { id: 'c2', name: 'Ten & ten' } }),
    to: address('challenge'),
    subject: 'You completed Ten & ten',
    text: 'you completed Ten & ten',
    html: 'Ten &amp; ten',
  },
  {
    id: 'achievement',
    body: gen2('achievement.earned', { ...user('achievement'), achievement: { id: 'a1', name: '"Walker"', tier: 1200 } }),
    to: address('achievement'),
    subject: 'Achievement unlocked: "Walker" (tier 1,200)',
    text: 'You unlocked "Walker" (tier 1,200)',
    html: '&quot;Walker&quot;',
  },
  {
    id: 'referrer',
    body: gen2('referral.referrer_credited', {
      ...user('referrer'),
      referral: { id: 'f1', referrerId: 'x', refereeId: 'y' },
      reward: { id: 'r2', name: 'Bonus', value: 1500 },
    }),
    to: address('referrer'),
    subject: 'Your referral paid off: Bonus (1,500)',
    text: 'you received Bonus (1,500)',
    html: 'Bonus (1,500)',
  },
  {
    id: 'referee',
    body: gen2('referral.referee_credited', {
      ...user('referee'),
      referral: { id: 'f2', referrerId: 'y', refereeId: 'x' },
      reward: { id: 'r3', name: 'Welcome', value: 500 },
    }),
    to: address('referee'),
    subject: 'Welcome! Welcome (500) is yours',
    text: 'your welcome reward Welcome (500)',
    html: 'Welcome (500)',
  },
]

const routes = {
  'reward.earned': { template: 'reward-earned', enabled: true, to: 'user' },
  'reward.delivered': { template: 'reward-delivered', enabled: true, to: 'user' },
  'reward.delivery_failed': { template: 'reward-delivery-failed', enabled: true, to: support },
  'challenge.completed': { template: 'challenge-completed', enabled: true, to: 'user' },
  'achievement.earned': { template: 'achievement-earned', enabled: true, to: 'user' },
  'referral.referrer_credited': { template: 'referral-referrer-credited', enabled: true, to: 'user' },
  'referral.referee_credited': { template: 'referral-referee-credited', enabled: true, to: 'user' },
  'reward.expired': { template: 'reward-earned', enabled: false, to: 'user' },
}

let email: TestEmail
beforeAll(async () => {
  email = await startTestEmail(infra, { routes })
})
afterAll(async () => await email?.close())

describe('email service against Mailpit and Postgres', () => {
  it('sends each routed event exactly one correct email despite duplicate deliveries and a consumer restart', async () => {
    const id = (c: (typeof cases)[number]): string => `wh-${run}-${c.id}`
    // Every webhook delivered twice before the restart and once more after it.
    for (const c of cases) await email.send(c.body, id(c))
    for (const c of cases) await email.send(c.body, id(c))
    for (const c of cases) await inbox.waitForMessages(`to:"${c.to}"`, 1, 20_000)
    await email.restart()
    for (const c of cases) await email.send(c.body, id(c))
    await waitFor(async () => (await email.metric('webhooks_consumer_messages_total', 'outcome="duplicate"')) >= cases.length, {
      timeoutMs: 30_000,
      message: 'the redeliveries after the restart were not all seen as duplicates',
    })
    for (const c of cases) {
      const found = await inbox.search(`to:"${c.to}"`)
      expect(found, c.id).toHaveLength(1)
      const message = await inbox.message(found[0]!.ID)
      expect(message.Subject, c.id).toBe(c.subject)
      expect(
        message.To.map((t) => t.Address),
        c.id,
      ).toEqual([c.to])
      expect(message.Text, c.id).toContain(c.text)
      expect(message.HTML, c.id).toContain(c.html)
      expect(message.HTML, c.id).not.toContain('<script>')
      expect(`<${message.MessageID}>`, c.id).toBe(messageIdFor(id(c), 'email.nudj-webhooks.local'))
      const headers = await headersOf(found[0]!.ID)
      if (c.to === support) expect(headers['List-Unsubscribe'], c.id).toBeUndefined()
      else expect(headers['List-Unsubscribe']?.[0], c.id).toBe('<mailto:unsubscribe@nudj.example?subject=unsubscribe>')
    }
    const { rows } = await email.pool.query<{ state: string; n: number }>(
      'SELECT state, count(*)::int AS n FROM email_sends WHERE consumer_group = $1 GROUP BY state',
      [email.group],
    )
    expect(rows).toEqual([{ state: 'sent', n: cases.length }])
  })

  it('finds the recipient in the contact table kept from user events, and counts events without one', async () => {
    const userId = `usr-contact-${run}`
    // Two user events in the wrong order: the later occurredAt wins whatever the arrival order.
    await email.send(
      gen2('user.registered', { user: { id: userId, email: address('new'), name: 'Grete', locale: 'de-DE' } }, '2026-03-02T00:00:00Z'),
      `wh-${run}-u2`,
    )
    await email.send(
      gen2('user.registered', { user: { id: userId, email: address('old'), name: 'Old' } }, '2026-03-01T00:00:00Z'),
      `wh-${run}-u1`,
    )
    await waitFor(async () => (await email.metric('webhooks_email_contact_updates_total')) >= 2, { timeoutMs: 20_000 })
    await email.send(gen2('challenge.completed', { user: { id: userId }, challenge: { id: 'c9', name: 'Berg' } }), `wh-${run}-c9`)
    const [summary] = await inbox.waitForMessages(`to:"${address('new')}"`, 1, 20_000)
    const message = await inbox.message(summary!.ID)
    expect(message.Text).toContain('Hi Grete,')
    expect(message.Text).toContain('14. März 2026 um 09:26 UTC')
    expect(await inbox.search(`to:"${address('old')}"`)).toHaveLength(0)

    const before = await email.metric('webhooks_email_no_recipient_total')
    await email.send(gen2('challenge.completed', { user: { id: `usr-unknown-${run}` }, challenge: { id: 'c9' } }), `wh-${run}-none`)
    await waitFor(async () => (await email.metric('webhooks_email_no_recipient_total')) === before + 1, { timeoutMs: 20_000 })
    const { rows } = await email.pool.query('SELECT state FROM email_sends WHERE webhook_id = $1', [`wh-${run}-none`])
    expect(rows).toEqual([{ state: 'no_recipient' }])
    // Acknowledged, not retried: nothing went to a retry topic.
    expect(await email.metric('webhooks_consumer_retries_total')).toBe(0)
  })

  it('leaves a disabled route alone', async () => {
    await email.send(gen2('reward.expired', { ...user('expired'), reward }), `wh-${run}-expired`)
    await waitFor(async () => (await email.metric('webhooks_consumer_messages_total', 'outcome="skipped"')) >= 1, { timeoutMs: 20_000 })
    expect(await inbox.search(`to:"${address('expired')}"`)).toHaveLength(0)
  })

  it('never writes to a suppressed address, and the API adds, lists and removes them', async () => {
    const api = email.current().address
    const auth = { authorization: `Bearer ${adminToken}` }
    const target = address('suppressed')
    expect((await fetch(`${api}/v1/suppressions/${target}`, { method: 'PUT' })).status).toBe(401)
    expect((await fetch(`${api}/v1/suppressions/${target}`, { method: 'PUT', headers: { authorization: 'Bearer wrong' } })).status).toBe(
      401,
    )
    expect((await fetch(`${api}/v1/suppressions/not-an-address`, { method: 'PUT', headers: auth })).status).toBe(400)
    const put = await fetch(`${api}/v1/suppressions/${target.toUpperCase()}`, {
      method: 'PUT',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'complaint' }),
    })
    expect(put.status).toBe(201)
    await fetch(`${api}/v1/suppressions/${address('other')}`, { method: 'PUT', headers: auth })
    const firstPage = (await (await fetch(`${api}/v1/suppressions?limit=1`, { headers: auth })).json()) as {
      items: { email: string }[]
      next: string
    }
    expect(firstPage.items).toHaveLength(1)
    const secondPage = (await (
      await fetch(`${api}/v1/suppressions?limit=1&after=${encodeURIComponent(firstPage.next)}`, { headers: auth })
    ).json()) as { items: { email: string }[] }
    expect([...firstPage.items, ...secondPage.items].map((i) => i.email).sort()).toEqual([address('other'), target].sort())

    await email.send(
      gen2('challenge.completed', { user: { id: 'u-s', email: target }, challenge: { id: 'c1', name: 'Quiet' } }),
      `wh-${run}-s1`,
    )
    await waitFor(async () => (await email.metric('webhooks_email_suppressed_total')) === 1, { timeoutMs: 20_000 })
    expect(await inbox.search(`to:"${target}"`)).toHaveLength(0)

    expect((await fetch(`${api}/v1/suppressions/${target}`, { method: 'DELETE', headers: auth })).status).toBe(204)
    expect((await fetch(`${api}/v1/suppressions/${target}`, { method: 'DELETE', headers: auth })).status).toBe(404)
    await email.send(
      gen2('challenge.completed', { user: { id: 'u-s', email: target }, challenge: { id: 'c1', name: 'Loud' } }),
      `wh-${run}-s2`,
    )
    const [arrived] = await inbox.waitForMessages(`to:"${target}"`, 1, 20_000)
    expect(arrived!.Subject).toBe('You completed Loud')
  })

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
