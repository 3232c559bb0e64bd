import type { Logger } from 'pino'
import type { Inbox, Notification } from './create-inbox.ts'

/** One open SSE connection: the last id it was sent, and how to send it more. */
export type Stream = {
  userId: string
  lastId: bigint
  /** When the stream's token was issued (ms): a revocation after it ends the stream. */
  issuedAt: number
  send: (notification: Notification) => void
  /** Closes the connection (shutdown). */
  end: () => void
}

export type StreamHub = {
  /** Registers a stream and sends it what it missed (ids above its lastId), then everything new. */
  add: (stream: Stream) => () => void
  /** A NOTIFY `<user>:<id>` arrived: read and fan out to this replica's streams of that user. */
  notify: (userId: string, id: string) => void
  /**
   * A NOTIFY carrying the whole row arrived: send it without a read. One user's rows commit in
   * id order and NOTIFYs arrive in commit order, so nothing below it can still be missing,
   * unless a read is under way or failed (then read instead).
   */
  deliver: (notification: Notification) => void
  /** The user's tokens issued before `notBefore` (ms) were revoked: ends the streams they opened. */
  revoke: (userId: string, notBefore: number) => void
  /** Re-read for every connected user (after the LISTEN connection came back). */
  resyncAll: () => void
  count: () => number
  streams: () => Stream[]
}

type UserState = { streams: Set<Stream>; reading: boolean; again: boolean; stale: boolean }

const pageSize = 500
const retryAfterErrorMs = 1_000

/**
 * Fans notifications out to this replica's own SSE connections. Per user, one read at a
 * time from the inbox (ids above the lowest lastId of that user's streams), each stream sent
 * only ids above its own lastId: catch-up and live are the same read, so nothing committed is
 * missed between them and nothing is sent twice.
 */
export function createStreamHub({ inbox, logger, onSent }: { inbox: Inbox; logger: Logger; onSent: () => void }): StreamHub {
  const users = new Map<string, UserState>()
  let total = 0

  async function pump(userId: string): Promise<void> {
    const state = users.get(userId)
    if (!state) return
    if (state.reading) {
      state.again = true
      return
    }
    state.reading = true
    try {
      do {
        state.again = false
        let lowest: bigint | undefined
        for (const s of state.streams) if (lowest === undefined || s.lastId < lowest) lowest = s.lastId
        if (lowest === undefined) break
        const rows = await inbox.after(userId, lowest.toString(), pageSize)
        for (const row of rows) {
          const id = BigInt(row.id)
          for (const s of state.streams) {
            if (id <= s.lastId) continue
            s.lastId = id
            s.send(row)
            onSent()
          }
        }
        if (rows.length === pageSize) state.again = true
      } while (state.again && state.streams.size > 0)
      state.stale = false
    } catch (err) {
      state.stale = true
      logger.warn({ err, userId }, 'could not read the inbox for a stream; trying again')
      setTimeout(() => void pump(userId), retryAfterErrorMs).unref()
    } finally {
      state.reading = false
      if (state.streams.size === 0) users.delete(userId)
    }
  }

  return {
    add(stream) {
      let state = users.get(stream.userId)
      if (!state) {
        state = { streams: new Set(), reading: false, again: false, stale: false }
        users.set(stream.userId, state)
      }
      state.streams.add(stream)
      total += 1
      void pump(stream.userId) // errors are logged and retried inside
      return () => {
        const current = users.get(stream.userId)
        if (!current?.streams.delete(stream)) return
        total -= 1
        if (current.streams.size === 0 && !current.reading) users.delete(stream.userId)
      }
    },
    notify(userId, id) {
      const state = users.get(userId)
      if (!state) return
      const value = BigInt(id)
      for (const s of state.streams) if (value > s.lastId) return void pump(userId)
    },
    deliver(notification) {
      const state = users.get(notification.userId)
      if (!state) return
      if (state.reading || state.stale) return void pump(notification.userId)
      const id = BigInt(notification.id)
      for (const s of state.streams) {
        if (id <= s.lastId) continue
        s.lastId = id
        s.send(notification)
        onSent()
      }
    },
    revoke(userId, notBefore) {
      for (const s of users.get(userId)?.streams ?? []) if (s.issuedAt < notBefore) s.end()
    },
    resyncAll() {
      for (const userId of users.keys()) void pump(userId)
    },
    count: () => total,
    streams: () => [...users.values()].flatMap((s) => [...s.streams]),
  }
}
