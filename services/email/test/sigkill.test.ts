// SIGKILL of the email process in the middle of a stream of sends, then a restart: every
// webhook still gets its email, and a second copy exists only for a send the kill caught
// between the SMTP accept and its record (same Message-ID, recorded as resumed).
import { createFreshDatabase, createMailpitInbox, startService, uniqueName, waitFor } from '@nudj-webhooks/testing'
import pg from 'pg'
import { expect, inject, it } from 'vitest'
import { messageIdFor } from '../src/message-id.ts'
import { createSender, gen2, searchAll } from './email-harness.ts'

const infra = inject('infra')
const partitions = 2

// 180 s: it starts service processes (each may use its own 60 s readiness wait) before the waits below.
it('loses no email and repeats only sends caught mid-way when the process is killed and restarted', async () => {
  const prefix = uniqueName('email_kill')
  const run = uniqueName('k').replace(/_/g, '-')
  const domain = `${run}.kill.test`
  const db = await createFreshDatabase(infra.databaseUrl, 'email_kill')
  const pool = new pg.Pool({ connectionString: db.url, max: 2 })
  const service = await startService('email', infra, {
    topicPrefix: prefix,
    group: uniqueName('email'),
    databaseUrl: db.url,
    partitions,
    retrySchedule: '1s,2s',
    env: {
      EMAIL_MESSAGE_ID_DOMAIN: domain,
      // Slow enough (12 s for the stream) that the kill lands in the middle of it even on a loaded machine.
      EMAIL_MAX_PER_SECOND: '10',
    },
  })
  const inbox = createMailpitInbox(infra.mailApiUrl)
  try {
    const send = createSender(infra, prefix)
    const ids = Array.from({ length: 120 }, (_, i) => `wh-${run}-${i}`)
    for (const [i, id] of ids.entries())
      await send(
        gen2('challenge.completed', { user: { id: `u${i}`, email: `k${i}.${run}@example.com` }, challenge: { id: 'c', name: `n${i}` } }),
        id,
      )
    await inbox.waitForMessages(`message-id:"${domain}"`, 20, 30_000)
    await service.kill()
    // The kill did land mid-stream: some emails were still to be sent.
    expect((await searchAll(infra.mailApiUrl, `message-id:"${domain}"`)).length).toBeLessThan(ids.length)
    await service.start()
    await waitFor(
      async () =>
        (await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM email_sends WHERE state = 'sent'`)).rows[0]!.n === ids.length,
      { timeoutMs: 40_000, message: 'not every webhook was sent after the restart' },
    )
    const found = await searchAll(infra.mailApiUrl, `message-id:"${domain}"`)
    const copies = new Map<string, number>()
    for (const m of found) copies.set(`<${m.MessageID}>`, (copies.get(`<${m.MessageID}>`) ?? 0) + 1)
    // Nothing lost: every webhook's Message-ID is there.
    for (const id of ids) expect(copies.has(messageIdFor(id, domain)), id).toBe(true)
    // Repeats only where a send was in flight at the kill: at most one per partition, each recorded as resumed.
    const repeated = ids.filter((id) => (copies.get(messageIdFor(id, domain)) ?? 0) > 1)
    expect(repeated.length).toBeLessThanOrEqual(partitions)
    const { rows } = await pool.query<{ webhook_id: string }>('SELECT webhook_id FROM email_sends WHERE resumed')
    expect(rows.map((r) => r.webhook_id)).toEqual(expect.arrayContaining(repeated))
    expect(found.length).toBe(ids.length + repeated.length)
  } finally {
    await service.stop()
    await pool.end()
    await db.drop()
  }
}, 180_000)
