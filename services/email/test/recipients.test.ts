import { consumeUntil, createMailpitInbox, uniqueName, waitFor } from '@nudj-webhooks/testing'
import { Kafka, logLevel } from 'kafkajs'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { adminToken, gen2, searchAll, startTestEmail, type TestEmail } from './email-harness.ts'

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
  it('finds the recipient in the contact table kept from user events, and counts events whose user never registers', async () => {
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

    // No user event ever: no_recipient once EMAIL_RECIPIENT_WAIT (3s in the harness) is over.
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

describe('recipients: exactly one plain address, or no email at all', () => {
  // Every address below carries this tag, and so would any email sent for them: one search finds them all.
  const tag = `hostile-${run}`
  const victim = `victim.${tag}@example.com`
  const other = `other.${tag}@example.com`
  const gen1Completion = (userId: string, address: string): Record<string, unknown> => ({
    id: `gen1-${userId}-${tag}`,
    eventCategory: 'challenge',
    eventSubCategory: 'challenge-completion',
    userId,
    eventSourceId: 'c1',
    payload: { challengeId: 'c1', email: address },
    createdAt: '2026-03-14T09:26:53.000Z',
  })
  const stateOf = async (id: string): Promise<{ state: string; reason: string | null } | undefined> =>
    (await email.pool.query<{ state: string; reason: string | null }>('SELECT state, reason FROM email_sends WHERE webhook_id = $1', [id]))
      .rows[0]

  it('sends nothing to anyone for a list, a group, a display name, a quoted local part, an encoded word, CR/LF or a bad domain', async () => {
    const hostile = {
      'display-name': [`x<${victim}>`, 'not_one_mailbox'],
      'display-name-address': [`"${other}" <${victim}>`, 'not_one_mailbox'],
      'comma-list': [`${other}, ${victim}`, 'not_one_mailbox'],
      'semicolon-list': [`${other};${victim}`, 'not_one_mailbox'],
      group: [`friends: ${other}, ${victim};`, 'not_one_mailbox'],
      'quoted-comma': [`"other,victim.${tag}"@example.com`, 'invalid_address'],
      crlf: [`${other}\r\nBcc: ${victim}`, 'control_character'],
      'encoded-word': [`=?utf-8?B?${Buffer.from(victim).toString('base64')}?= <${other}>`, 'encoded_word'],
      'no-tld': [`victim.${tag}@example`, 'invalid_address'],
      'address-literal': [`victim.${tag}@[127.0.0.1]`, 'invalid_address'],
    } as const
    const before = await email.metric('webhooks_email_invalid_recipient_total')
    // Gen-1 carries the address in `payload.email`, which the contracts package does not check: all of it reaches the handler.
    for (const [name, [address]] of Object.entries(hostile)) await email.send(gen1Completion(`usr-${name}`, address), `wh-${run}-${name}`)
    // Gen-2's `data.user.email` is checked first (one @, no whitespace): a display name passes that check ...
    await email.send(
      gen2('challenge.completed', { user: { id: 'usr-gen2', email: `x<${victim}>` }, challenge: { id: 'c1', name: tag } }),
      `wh-${run}-gen2-display-name`,
    )
    // ... and one with CR/LF is dead-lettered (VALIDATION_FAILED) before it reaches the handler.
    await email.send(
      gen2('challenge.completed', { user: { id: 'usr-gen2', email: `${other}\r\nBcc:${victim}` }, challenge: { id: 'c1', name: tag } }),
      `wh-${run}-gen2-crlf`,
    )
    const decided = { ...hostile, 'gen2-display-name': hostile['display-name'] }
    for (const [name, [, problem]] of Object.entries(decided)) {
      await waitFor(async () => (await stateOf(`wh-${run}-${name}`))?.state === 'invalid_recipient', {
        timeoutMs: 20_000,
        message: `${name} was not decided invalid_recipient`,
      })
      expect(await stateOf(`wh-${run}-${name}`), name).toEqual({ state: 'invalid_recipient', reason: problem })
    }
    const kafka = new Kafka({ brokers: infra.kafkaBrokers, logLevel: logLevel.NOTHING })
    const dlq = await consumeUntil(kafka, {
      topics: [`${email.group}.dlq`],
      groupId: uniqueName('dlq_reader'),
      until: (all) => all.some((r) => r.message.key?.toString() === `wh-${run}-gen2-crlf`),
    })
    expect(dlq.map((r) => [r.message.key?.toString(), String(r.message.headers?.['x-error-code'])])).toEqual([
      [`wh-${run}-gen2-crlf`, 'VALIDATION_FAILED'],
    ])
    expect(await stateOf(`wh-${run}-gen2-crlf`)).toBeUndefined()
    expect(await email.metric('webhooks_email_invalid_recipient_total')).toBe(before + Object.keys(decided).length)
    expect(await email.metric('webhooks_email_invalid_recipient_total', 'problem="not_one_mailbox"')).toBe(6)
    // Acknowledged as decided: never retried.
    expect(await email.metric('webhooks_consumer_retries_total')).toBe(0)
    // Each decision is final before its row is written: nothing can reach Mailpit after this.
    expect(await searchAll(infra.mailApiUrl, tag)).toEqual([])
  })

  it('keeps no hostile address in the contact table: the routed event then ends invalid_recipient with its problem', async () => {
    const userId = `usr-contact-${tag}`
    await email.send(gen2('user.registered', { user: { id: userId, email: `x<${victim}>`, name: 'Mallory' } }), `wh-${run}-hostile-user`)
    await waitFor(async () => (await email.pool.query('SELECT 1 FROM email_contacts WHERE user_id = $1', [userId])).rowCount === 1, {
      timeoutMs: 20_000,
    })
    const { rows } = await email.pool.query('SELECT email, name FROM email_contacts WHERE user_id = $1', [userId])
    expect(rows).toEqual([{ email: null, name: 'Mallory' }])
    await email.send(gen2('challenge.completed', { user: { id: userId }, challenge: { id: 'c2', name: tag } }), `wh-${run}-hostile-contact`)
    await waitFor(async () => (await stateOf(`wh-${run}-hostile-contact`))?.state === 'invalid_recipient', { timeoutMs: 20_000 })
    expect(await stateOf(`wh-${run}-hostile-contact`)).toEqual({ state: 'invalid_recipient', reason: 'not_one_mailbox' })
    expect(await searchAll(infra.mailApiUrl, tag)).toEqual([])
  })

  it('compares suppressions on the normalised address, and sends to the address as given otherwise', async () => {
    const api = email.current().address
    const auth = { authorization: `Bearer ${adminToken}` }
    const quiet = `quiet.${tag}@example.com`
    expect((await fetch(`${api}/v1/suppressions/${quiet}`, { method: 'PUT', headers: auth })).status).toBe(201)
    await email.send(
      gen2('challenge.completed', {
        user: { id: 'usr-upper', email: `QUIET.${tag.toUpperCase()}@Example.COM` },
        challenge: { id: 'c3' },
      }),
      `wh-${run}-upper`,
    )
    await waitFor(async () => (await stateOf(`wh-${run}-upper`))?.state === 'suppressed', { timeoutMs: 20_000 })
    expect(await searchAll(infra.mailApiUrl, `quiet.${tag}`)).toEqual([])

    // Not suppressed: the local part keeps its case, the domain is lower-cased (and gen-1's spaces go).
    await email.send(gen1Completion('usr-loud', ` Loud.${tag}@Example.COM `), `wh-${run}-loud`)
    const [arrived] = await inbox.waitForMessages(`loud.${tag}`, 1, 20_000)
    expect((await inbox.message(arrived!.ID)).To.map((t) => t.Address)).toEqual([`Loud.${tag}@example.com`])
  })

  it('refuses to store a suppression that is not one plain address', async () => {
    const api = email.current().address
    const auth = { authorization: `Bearer ${adminToken}` }
    for (const [raw, problem] of [
      [`x<${victim}>`, 'not_one_mailbox'],
      [`${other},${victim}`, 'not_one_mailbox'],
      [`"a,b"@example.com`, 'invalid_address'],
    ]) {
      const response = await fetch(`${api}/v1/suppressions/${encodeURIComponent(raw!)}`, { method: 'PUT', headers: auth })
      expect(response.status, raw).toBe(400)
      expect(await response.json(), raw).toEqual({
        code: 'INVALID_REQUEST',
        message: `not one plain email address (${problem}); see the README's recipient rules`,
      })
    }
    const { rows } = await email.pool.query('SELECT email FROM email_suppressions WHERE email LIKE $1', [`%${tag}%`])
    expect(rows).toEqual([{ email: `quiet.${tag}@example.com` }])
  })
})
