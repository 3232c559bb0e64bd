// Sends that wait for their recipient: a routed event whose user's address is not known yet
// waits (bounded by EMAIL_RECIPIENT_WAIT) until a user event gives it, then goes once.
// Real Kafka, Postgres and the shared Mailpit; each instance has its own topics, group and
// database, and its own Message-ID domain, which picks out its emails in the shared inbox.
import { readFileSync } from 'node:fs'
import { normalizeNudjWebhook, validateNudjEvent } from '@nudj-webhooks/contracts'
import { buildGen1Event, buildGen2Event, createEventStream, createRandom, createWorld, type SimEvent } from '@nudj-webhooks/nudj-sim'
import { createMailpitInbox, uniqueName, waitFor } from '@nudj-webhooks/testing'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { emailCategories } from '../src/load-routes.ts'
import { messageIdFor } from '../src/message-id.ts'
import { readContact } from '../src/read-contact.ts'
import { gen2, searchAll, startTestEmail, type Delivery, type TestEmail } from './email-harness.ts'

const infra = inject('infra')
const inbox = createMailpitInbox(infra.mailApiUrl)
const run = uniqueName('w').replace(/_/g, '-')
const domainOf = (name: string): string => `${name}.${run}.waiting.test`
const address = (who: string): string => `${who}.${run}@example.com`
const routes = JSON.parse(readFileSync(new URL('../routes.json', import.meta.url), 'utf8')) as Record<
  string,
  { enabled: boolean; to: string }
>
const completed = (userId: string, name = 'Late'): Record<string, unknown> =>
  gen2('challenge.completed', { user: { id: userId }, challenge: { id: 'c1', name } })
const registered = (userId: string, email: string, name = 'Lotte'): Record<string, unknown> =>
  gen2('user.registered', { user: { id: userId, email, name } })

type SendRow = { state: string; reason: string | null; attempts: number; resumed: boolean }
const sendOf = async (email: TestEmail, id: string): Promise<SendRow | undefined> =>
  (
    await email.pool.query<SendRow>(
      'SELECT state, reason, attempts, resumed FROM email_sends WHERE consumer_group = $1 AND webhook_id = $2',
      [email.group, id],
    )
  ).rows[0]
const waitingIds = async (email: TestEmail): Promise<string[]> =>
  (await email.pool.query<{ webhook_id: string }>('SELECT webhook_id FROM email_waiting ORDER BY webhook_id')).rows.map((r) => r.webhook_id)
const countSends = async (email: TestEmail, state: string): Promise<number> =>
  (await email.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM email_sends WHERE state = $1', [state])).rows[0]!.n
const sendsOf = async (email: TestEmail, ids: string[]): Promise<Map<string, string>> => {
  const { rows } = await email.pool.query<{ webhook_id: string; state: string }>(
    'SELECT webhook_id, state FROM email_sends WHERE webhook_id = ANY($1)',
    [ids],
  )
  return new Map(rows.map((r) => [r.webhook_id, r.state]))
}
const stateIs = async (email: TestEmail, id: string, state: string): Promise<void> => {
  await waitFor(async () => (await sendOf(email, id))?.state === state, { timeoutMs: 20_000, message: `${id} never became ${state}` })
}

let patient: TestEmail
let hasty: TestEmail
beforeAll(async () => {
  patient = await startTestEmail(infra, { env: { EMAIL_RECIPIENT_WAIT: '10m', EMAIL_MESSAGE_ID_DOMAIN: domainOf('patient') } })
  hasty = await startTestEmail(infra, { env: { EMAIL_RECIPIENT_WAIT: '3s', EMAIL_MESSAGE_ID_DOMAIN: domainOf('hasty') } })
})
afterAll(async () => {
  await patient?.close()
  await hasty?.close()
})

describe('a routed event whose user has no address yet', () => {
  it('waits for user.registered, then gets its one email; redeliveries of either event send nothing more', async () => {
    const userId = `usr-late-${run}`
    const to = address('late')
    const id = `wh-${run}-late`
    await patient.send(completed(userId), id)
    await patient.send(completed(userId), id)
    await stateIs(patient, id, 'waiting')
    await waitFor(async () => (await patient.metric('webhooks_consumer_messages_total', 'outcome="duplicate"')) >= 1, { timeoutMs: 20_000 })
    expect(await waitingIds(patient)).toEqual([id])
    expect(await patient.metric('webhooks_email_recipient_waits_total')).toBe(1)
    expect(await patient.metric('webhooks_email_waiting_sends', 'state="waiting"')).toBe(1)
    expect(await searchAll(infra.mailApiUrl, `message-id:"${domainOf('patient')}"`)).toEqual([])

    await patient.send(registered(userId, to), `wh-${run}-late-user`)
    const [mail] = await inbox.waitForMessages(`to:"${to}"`, 1, 20_000)
    const message = await inbox.message(mail!.ID)
    expect(message.Subject).toBe('You completed Late')
    expect(message.Text).toContain('Hi Lotte,')
    expect(`<${message.MessageID}>`).toBe(messageIdFor(id, domainOf('patient')))
    await stateIs(patient, id, 'sent')

    const duplicates = await patient.metric('webhooks_consumer_messages_total', 'outcome="duplicate"')
    await patient.send(completed(userId), id)
    await patient.send(registered(userId, to), `wh-${run}-late-user`)
    await waitFor(async () => (await patient.metric('webhooks_consumer_messages_total', 'outcome="duplicate"')) >= duplicates + 2, {
      timeoutMs: 20_000,
      message: 'the redeliveries were not seen as duplicates',
    })
    expect(await inbox.search(`to:"${to}"`)).toHaveLength(1)
    expect(await sendOf(patient, id)).toEqual({ state: 'sent', reason: null, attempts: 1, resumed: false })
    expect(await waitingIds(patient)).toEqual([])
    expect(await patient.metric('webhooks_email_waiting_sends', 'state="waiting"')).toBe(0)
  })

  it('ends invalid_recipient, sending nothing, when the user event gives an address the rules refuse', async () => {
    const userId = `usr-refused-${run}`
    const victim = address('victim')
    const id = `wh-${run}-refused`
    await patient.send(completed(userId), id)
    await stateIs(patient, id, 'waiting')
    const before = await patient.metric('webhooks_email_invalid_recipient_total', 'problem="not_one_mailbox"')
    await patient.send(registered(userId, `x<${victim}>`), `wh-${run}-refused-user`)
    await stateIs(patient, id, 'invalid_recipient')
    expect(await sendOf(patient, id)).toMatchObject({ state: 'invalid_recipient', reason: 'not_one_mailbox' })
    expect(await patient.metric('webhooks_email_invalid_recipient_total', 'problem="not_one_mailbox"')).toBe(before + 1)
    expect(await waitingIds(patient)).toEqual([])
    expect(await searchAll(infra.mailApiUrl, victim)).toEqual([])
  })

  it('is no_recipient once the wait is over, not before, when its user never registers', async () => {
    const id = `wh-${run}-never`
    const before = await hasty.metric('webhooks_email_no_recipient_total')
    await hasty.send(completed(`usr-never-${run}`), id)
    await stateIs(hasty, id, 'no_recipient')
    expect(await hasty.metric('webhooks_email_recipient_waits_total')).toBe(1)
    expect(await hasty.metric('webhooks_email_no_recipient_total')).toBe(before + 1)
    // Decided no earlier than EMAIL_RECIPIENT_WAIT after it was parked (created_at: the 'waiting' row).
    const { rows } = await hasty.pool.query<{ waited: boolean }>(
      `SELECT updated_at - created_at >= interval '3 seconds' AS waited FROM email_sends WHERE webhook_id = $1`,
      [id],
    )
    expect(rows).toEqual([{ waited: true }])
    expect(await waitingIds(hasty)).toEqual([])
  })
})

describe('shuffled simulator traffic', () => {
  it('gives every routed event whose user registers anywhere in the stream exactly one email; the others wait', async () => {
    const email = await startTestEmail(infra, { env: { EMAIL_RECIPIENT_WAIT: '10m', EMAIL_MESSAGE_ID_DOMAIN: domainOf('shuffled') } })
    try {
      await sendShuffled(email)
    } finally {
      await email.close()
    }
  }, 150_000)
})

const read = new Set<string>([...emailCategories, 'user'])
const eventOf = (d: Delivery) => normalizeNudjWebhook(JSON.stringify(d.body), { 'x-nudj-delivery-id': d.webhookId })

/** The simulator's traffic plus registrations, shuffled and partly duplicated; see the test above. */
async function sendShuffled(email: TestEmail): Promise<void> {
  const world = createWorld({ seed: 18, users: 30 })
  const random = createRandom(18)
  const stream = createEventStream(world)
  const events: SimEvent[] = Array.from({ length: 240 }, () => stream.next())
  // The stream registers few users of its own: register two thirds of them, in either generation.
  for (const user of world.users.filter(() => random.chance(2 / 3))) {
    const ctx = { user, at: new Date() }
    events.push(random.chance(0.5) ? buildGen2Event(world, 'user.registered', ctx) : buildGen1Event(world, 'auth.email', ctx))
  }
  // Nudj delivers at least once: a fifth of the events twice. Then any order at all. Only the
  // topics this group reads exist here (ingest would write the rest to topics it never reads).
  const deliveries: Delivery[] = [...events, ...events.filter(() => random.chance(0.2))]
    .map((e) => ({ body: e.body, webhookId: e.deliveryId }))
    .filter((d) => read.has(eventOf(d).category))
  for (let i = deliveries.length - 1; i > 0; i--) {
    const j = random.int(0, i)
    ;[deliveries[i], deliveries[j]] = [deliveries[j]!, deliveries[i]!]
  }
  const addressOf = new Map<string, string>()
  for (const d of deliveries) {
    const contact = eventOf(d).category === 'user' ? readContact(eventOf(d)) : undefined
    if (contact?.email) addressOf.set(contact.userId, contact.email)
  }
  // Half the registered users' user events come last, so their events certainly wait first.
  const late = new Set([...addressOf.keys()].filter((_, i) => i % 2 === 0))
  const isLate = (d: Delivery): boolean => eventOf(d).category === 'user' && late.has(eventOf(d).user.id ?? '')
  const routed = new Map<string, { mustSend: boolean; waitsFirst: boolean }>()
  for (const d of deliveries) {
    const event = eventOf(d)
    const route = routes[event.canonical]
    if (!route?.enabled || validateNudjEvent(event).length > 0) continue
    const own = route.to !== 'user' || event.user.email !== undefined
    const userId = event.user.id ?? ''
    routed.set(d.webhookId, { mustSend: own || addressOf.has(userId), waitsFirst: !own && late.has(userId) })
  }
  const waitsFirst = [...routed].filter(([, r]) => r.waitsFirst).map(([id]) => id)
  const neverSent = [...routed].filter(([, r]) => !r.mustSend).map(([id]) => id)
  expect(waitsFirst.length).toBeGreaterThan(5)
  expect(neverSent.length).toBeGreaterThan(5)

  await email.sendAll(deliveries.filter((d) => !isLate(d)))
  await waitFor(async () => (await sendsOf(email, [...routed.keys()])).size === routed.size, {
    timeoutMs: 60_000,
    message: 'not every routed event of the first part was decided or parked',
  })
  const first = await sendsOf(email, waitsFirst)
  expect(waitsFirst.filter((id) => first.get(id) !== 'waiting')).toEqual([])

  await email.sendAll(deliveries.filter(isLate))
  const mustSend = [...routed].filter(([, r]) => r.mustSend).map(([id]) => id)
  await waitFor(
    async () => {
      const sent = [...(await sendsOf(email, mustSend)).values()].filter((s) => s === 'sent')
      // Every delivery consumed (duplicates included), so nothing can still be on its way.
      return sent.length === mustSend.length && (await email.metric('webhooks_consumer_messages_total')) >= deliveries.length
    },
    { timeoutMs: 60_000, message: 'not every routed event of a registered user was sent' },
  )
  const states = await sendsOf(email, [...routed.keys()])
  expect(neverSent.filter((id) => states.get(id) !== 'waiting')).toEqual([])
  // Exactly once: each expected Message-ID once, and no other.
  const found = await searchAll(infra.mailApiUrl, `message-id:"${domainOf('shuffled')}"`)
  expect(found.map((m) => `<${m.MessageID}>`).sort()).toEqual(mustSend.map((id) => messageIdFor(id, domainOf('shuffled'))).sort())
  expect(await countSends(email, 'sent')).toBe(mustSend.length)
}

describe('replicas, restarts and crashes', () => {
  it('sends each waiting email once with two instances on one database, one of them restarted mid-wait', async () => {
    const email = await startTestEmail(infra, { env: { EMAIL_RECIPIENT_WAIT: '10m', EMAIL_MESSAGE_ID_DOMAIN: domainOf('pair') } })
    const second = await email.startAnother()
    try {
      const users = Array.from({ length: 6 }, (_, u) => `usr-pair-${u}-${run}`)
      const parked = users.flatMap((userId) =>
        Array.from({ length: 5 }, (_, k) => ({ body: completed(userId), webhookId: `wh-${userId}-${k}` })),
      )
      await email.sendAll(parked)
      await waitFor(async () => (await waitingIds(email)).length === parked.length, {
        timeoutMs: 30_000,
        message: 'not every event waited',
      })
      await email.restart()
      await email.sendAll(users.map((userId, u) => ({ body: registered(userId, address(`pair-${u}`)), webhookId: `wh-${userId}-user` })))
      await waitFor(async () => (await countSends(email, 'sent')) === parked.length && (await waitingIds(email)).length === 0, {
        timeoutMs: 30_000,
        message: 'not every waiting email was sent',
      })
      const found = await searchAll(infra.mailApiUrl, `message-id:"${domainOf('pair')}"`)
      expect(found.map((m) => `<${m.MessageID}>`).sort()).toEqual(parked.map((p) => messageIdFor(p.webhookId, domainOf('pair'))).sort())
      // Each claimed and sent once: no second attempt by either instance.
      const { rows } = await email.pool.query('SELECT attempts, resumed, count(*)::int AS n FROM email_sends GROUP BY attempts, resumed')
      expect(rows).toEqual([{ attempts: 1, resumed: false, n: parked.length }])
    } finally {
      await second.close()
      await email.close()
    }
  }, 120_000)

  it('resends once, with the same Message-ID, a waiting email whose sender died in the middle of sending it', async () => {
    const userId = `usr-died-${run}`
    const id = `wh-${run}-died`
    const to = address('died')
    const messageId = messageIdFor(id, domainOf('patient'))
    const event = normalizeNudjWebhook(JSON.stringify(completed(userId, 'Died')), { 'x-nudj-delivery-id': id })
    // What such a death leaves (a SIGKILL cannot be timed into it): the row claimed once, its
    // claim now over, and the send ledger at 'sending'.
    await patient.pool.query('INSERT INTO email_contacts (user_id, email, updated_at) VALUES ($1, $2, now())', [userId, to])
    await patient.pool.query(
      `INSERT INTO email_sends (consumer_group, webhook_id, event, template, recipient, message_id, state, attempts)
       VALUES ($1, $2, 'challenge.completed', 'challenge-completed', $3, $4, 'sending', 1)`,
      [patient.group, id, to, messageId],
    )
    await patient.pool.query(
      `INSERT INTO email_waiting (consumer_group, webhook_id, user_id, template, event, due_at, attempts)
       VALUES ($1, $2, $3, 'challenge-completed', $4, now(), 1)`,
      [patient.group, id, userId, JSON.stringify(event)],
    )
    const [mail] = await inbox.waitForMessages(`to:"${to}"`, 1, 20_000)
    expect(`<${(await inbox.message(mail!.ID)).MessageID}>`).toBe(messageId)
    await waitFor(async () => !(await waitingIds(patient)).includes(id), { timeoutMs: 20_000 })
    expect(await sendOf(patient, id)).toEqual({ state: 'sent', reason: null, attempts: 2, resumed: true })
    expect(await inbox.search(`to:"${to}"`)).toHaveLength(1)
  })

  it('does nothing more for a redelivery of an event that a run parked and died before completing', async () => {
    const userId = `usr-parked-${run}`
    const id = `wh-${run}-parked`
    const to = address('parked')
    await patient.send(completed(userId, 'Parked'), id)
    const ledgerRow = async (): Promise<{ state: string; attempts: number } | undefined> =>
      (
        await patient.pool.query<{ state: string; attempts: number }>(
          'SELECT state, attempts FROM consumer_ledger WHERE consumer_group = $1 AND webhook_id = $2',
          [patient.group, id],
        )
      ).rows[0]
    await waitFor(async () => (await ledgerRow())?.state === 'completed', { timeoutMs: 20_000, message: 'the event was not handled' })
    expect(await sendOf(patient, id)).toMatchObject({ state: 'waiting' })
    // What a death between parking and the runtime's completion leaves: the id claimed, not completed.
    await patient.pool.query(
      `UPDATE consumer_ledger SET state = 'claimed', completed_at = NULL WHERE consumer_group = $1 AND webhook_id = $2`,
      [patient.group, id],
    )
    const waits = await patient.metric('webhooks_email_recipient_waits_total')
    await patient.send(completed(userId, 'Parked'), id)
    // The redelivery claimed the unfinished id (attempts 2) and completed it.
    await waitFor(async () => (await ledgerRow())?.state === 'completed', { timeoutMs: 20_000, message: 'the redelivery was not handled' })
    expect(await ledgerRow()).toEqual({ state: 'completed', attempts: 2 })
    expect(await sendOf(patient, id)).toMatchObject({ state: 'waiting' })
    expect(await patient.metric('webhooks_email_recipient_waits_total')).toBe(waits)
    await patient.send(registered(userId, to), `wh-${run}-parked-user`)
    await inbox.waitForMessages(`to:"${to}"`, 1, 20_000)
    await stateIs(patient, id, 'sent')
    expect(await inbox.search(`to:"${to}"`)).toHaveLength(1)
  })
})
