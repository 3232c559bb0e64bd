import pino from 'pino'
import { describe, expect, it } from 'vitest'
import type { Inbox, Notification } from './create-inbox.ts'
import { createStreamHub } from './create-stream-hub.ts'

const row = (id: number, userId = 'u1'): Notification => ({
  id: String(id),
  userId,
  webhookId: `w${id}`,
  rule: 'r',
  title: 't',
  body: 'b',
  data: {},
  occurredAt: null,
  createdAt: new Date(0).toISOString(),
  readAt: null,
})

/** A fake of our own Inbox interface: rows in memory, reads answered in id order. */
function fakeInbox(rows: Notification[], failReads = 0): Inbox & { reads: number } {
  const inbox = {
    reads: 0,
    insertMany: async () => [],
    async after(userId: string, afterId: string, limit: number) {
      inbox.reads += 1
      if (inbox.reads <= failReads) throw new Error('database away')
      return rows.filter((r) => r.userId === userId && BigInt(r.id) > BigInt(afterId)).slice(0, limit)
    },
    list: async () => [],
    markRead: async () => undefined,
    latestId: async () => '0',
  }
  return inbox
}

const settle = async (): Promise<void> => await new Promise((resolve) => setTimeout(resolve, 10))

describe('the stream hub', () => {
  it('sends catch-up then live, each id once and in order, per stream', async () => {
    const rows = [row(1), row(2), row(3, 'u2')]
    const hub = createStreamHub({ inbox: fakeInbox(rows), logger: pino({ level: 'silent' }), onSent: () => undefined })
    const fresh: string[] = []
    const resumed: string[] = []
    hub.add({ userId: 'u1', lastId: 0n, issuedAt: 0, send: (n) => fresh.push(n.id), end: () => undefined })
    hub.add({ userId: 'u1', lastId: 1n, issuedAt: 0, send: (n) => resumed.push(n.id), end: () => undefined })
    await settle()
    rows.push(row(4))
    hub.deliver(row(4))
    hub.deliver(row(4)) // a repeat is not sent again
    hub.notify('u1', '4')
    rows.push(row(5))
    hub.notify('u1', '5')
    await settle()
    expect(fresh).toEqual(['1', '2', '4', '5'])
    expect(resumed).toEqual(['2', '4', '5'])
    expect(hub.count()).toBe(2)
  })

  it('reads instead of trusting a pushed row after a failed read, so nothing is skipped', async () => {
    const rows = [row(1)]
    const inbox = fakeInbox(rows, 1)
    const hub = createStreamHub({ inbox, logger: pino({ level: 'silent' }), onSent: () => undefined })
    const sent: string[] = []
    const remove = hub.add({ userId: 'u1', lastId: 0n, issuedAt: 0, send: (n) => sent.push(n.id), end: () => undefined })
    await settle()
    expect(sent).toEqual([])
    rows.push(row(2))
    hub.deliver(row(2))
    await settle()
    expect(sent).toEqual(['1', '2'])
    remove()
    expect(hub.count()).toBe(0)
  })
  it('ends the streams of tokens issued before a revocation, and only those', () => {
    const hub = createStreamHub({ inbox: fakeInbox([]), logger: pino({ level: 'silent' }), onSent: () => undefined })
    const ended: string[] = []
    hub.add({ userId: 'u1', lastId: 0n, issuedAt: 1_000, send: () => undefined, end: () => ended.push('old') })
    hub.add({ userId: 'u1', lastId: 0n, issuedAt: 5_000, send: () => undefined, end: () => ended.push('new') })
    hub.add({ userId: 'u2', lastId: 0n, issuedAt: 1_000, send: () => undefined, end: () => ended.push('other user') })
    hub.revoke('u1', 2_000)
    expect(ended).toEqual(['old'])
  })
})
