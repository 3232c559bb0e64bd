// Across processes, as in production: the simulator sends Nudj traffic (duplicates and
// reordering included) to the real ingest, and the email service runs as its own process
// (services/email/src/main.ts) with the default routes, into the shared Mailpit.
import { readFileSync } from 'node:fs'
import { normalizeNudjWebhook, validateNudjEvent } from '@nudj-webhooks/contracts'
import { runSend, type SimEvent } from '@nudj-webhooks/nudj-sim'
import { createFreshDatabase, startIngestProcess, startService, uniqueName, waitFor } from '@nudj-webhooks/testing'
import pg from 'pg'
import { expect, inject, it } from 'vitest'
import { messageIdFor } from '../src/message-id.ts'
import { readContact } from '../src/read-contact.ts'
import { searchAll } from './email-harness.ts'

const infra = inject('infra')
const routes = JSON.parse(readFileSync(new URL('../routes.json', import.meta.url), 'utf8')) as Record<string, { enabled: boolean }>

// 180 s: it starts service processes (each may use its own 60 s readiness wait) before the waits below.
it('gives each routed webhook id of simulated Nudj traffic exactly one email when its user’s address is known anywhere in the traffic', async () => {
  const prefix = uniqueName('nudj_webhooks')
  // Message-IDs under a domain of this run pick out its emails in the shared inbox.
  const domain = `${uniqueName('p').replace(/_/g, '-')}.pipeline.test`
  const db = await createFreshDatabase(infra.databaseUrl, 'email_pipeline')
  const pool = new pg.Pool({ connectionString: db.url, max: 2 })
  const ingest = await startIngestProcess(infra, prefix)
  const email = await startService('email', infra, {
    topicPrefix: prefix,
    group: uniqueName('email'),
    databaseUrl: db.url,
    partitions: 2,
    retrySchedule: '1s,2s',
    env: {
      EMAIL_MESSAGE_ID_DOMAIN: domain,
      EMAIL_MAX_PER_SECOND: '0',
      // Longer than the test: an event whose user never registers is still waiting at the end.
      EMAIL_RECIPIENT_WAIT: '10m',
    },
  })
  try {
    const acknowledged = new Map<string, SimEvent>()
    const report = await runSend({
      receiver: ingest.receiver,
      count: 120,
      rate: 200,
      concurrency: 8,
      duplicates: 0.3,
      reorder: 0.2,
      seed: 11,
      onDelivery: (planned, result) => {
        if (planned.kind !== 'bad' && result.outcome === 'acknowledged') acknowledged.set(planned.event.deliveryId, planned.event)
      },
    })
    expect(report.duplicates).toBeGreaterThan(0)
    const events = [...acknowledged.entries()]
      .map(([id, sim]) => ({ id, sim, event: normalizeNudjWebhook(JSON.stringify(sim.body), { 'x-nudj-delivery-id': id }) }))
      .filter(({ event }) => validateNudjEvent(event).length === 0)
    // Users whose address a user event gave, in whatever order it arrived.
    const registered = new Set(
      events.flatMap(({ event }) => {
        const contact = event.category === 'user' ? readContact(event) : undefined
        return contact?.email ? [contact.userId] : []
      }),
    )
    const routed = events.filter(({ event }) => routes[event.canonical]?.enabled === true)
    // Its own address in the body (gen-2), the support route, or a registered user: it must reach someone.
    const mustSend = routed.filter(
      ({ sim, event }) => sim.name === 'reward.delivery_failed' || event.user.email !== undefined || registered.has(event.user.id ?? ''),
    )
    expect(mustSend.length).toBeGreaterThan(5)
    // The others (gen-1 events name no address, and this traffic registers few users) wait, bounded.
    expect(routed.length - mustSend.length).toBeGreaterThan(0)

    const count = async (state: string): Promise<number> =>
      (await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM email_sends WHERE state = $1', [state])).rows[0]!.n
    await waitFor(async () => (await count('sent')) === mustSend.length && (await count('waiting')) === routed.length - mustSend.length, {
      timeoutMs: 40_000,
      message: `not every one of ${routed.length} routed webhooks was sent (${mustSend.length}) or waiting`,
    })
    const found = await searchAll(infra.mailApiUrl, `message-id:"${domain}"`)
    expect(found.map((m) => `<${m.MessageID}>`).sort()).toEqual(mustSend.map(({ id }) => messageIdFor(id, domain)).sort())
  } finally {
    await email.stop()
    await ingest.stop()
    await pool.end()
    await db.drop()
  }
}, 180_000)
