import { createMailpitInbox, uniqueName, waitFor } from '@nudj-webhooks/testing'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { adminToken, gen2, startTestEmail, type TestEmail } from './email-harness.ts'

const infra = inject('infra')
const inbox = createMailpitInbox(infra.mailApiUrl)
const run = uniqueName('c').replace(/_/g, '-')
const address = (who: string): string => `${who}.${run}@example.com`

let email: TestEmail
beforeAll(async () => {
  email = await startTestEmail(infra)
})
afterAll(async () => await email?.close())

describe('recipients: the contact table and suppressions', () => {
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
    // The metric moves before the ledger's row commits: wait for the row itself.
    const sends = async (): Promise<{ state: string }[]> =>
      (await email.pool.query<{ state: string }>('SELECT state FROM email_sends WHERE webhook_id = $1', [`wh-${run}-none`])).rows
    await waitFor(async () => (await sends())[0]?.state === 'no_recipient', { timeoutMs: 20_000 })
    expect(await sends()).toEqual([{ state: 'no_recipient' }])
    expect(await email.metric('webhooks_email_no_recipient_total')).toBe(before + 1)
    // Acknowledged, not retried: nothing went to a retry topic.
    expect(await email.metric('webhooks_consumer_retries_total')).toBe(0)
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
})
