import { createHash } from 'node:crypto'

/** What a body is to the window: new, the same webhook id again (Nudj's retry), or a replay of an earlier id. */
export type Claim = { kind: 'new' } | { kind: 'retry' } | { kind: 'replay'; webhookId: string }

export type ReplayWindowOptions = {
  /** How long a signed body is remembered; undefined for no time limit (the count still bounds it). */
  windowMs?: number
  maxEntries: number
  now?: () => number
  /** Called when an entry is forgotten before its time because the record is full. */
  onEvict?: () => void
}

/**
 * Remembers, per source, the SHA-256 of each signed body accepted and the webhook id it came
 * with, for a time window and up to a number of entries (the oldest is forgotten first). A
 * gen-2 signature covers the body only, so a captured request sent again with a new
 * X-Nudj-Delivery-Id passes verification: this is what recognises it. In memory, so per
 * replica.
 */
export function createReplayWindow(options: ReplayWindowOptions) {
  const now = options.now ?? Date.now
  // Insertion order is age order: every entry has the same window.
  const seen = new Map<string, { webhookId: string; at: number }>()
  // One flat 44-character string per entry: the hash of the source and the body together.
  const keyOf = (source: string, body: Buffer): string => createHash('sha256').update(source).update('\n').update(body).digest('base64')
  const expire = (at: number): void => {
    if (options.windowMs === undefined) return
    for (const [key, entry] of seen) {
      if (at - entry.at <= options.windowMs) return
      seen.delete(key)
    }
  }
  return {
    /** Records that `webhookId` brought this body, unless an earlier request already did. */
    claim(source: string, body: Buffer, webhookId: string): Claim {
      const at = now()
      expire(at)
      const key = keyOf(source, body)
      const first = seen.get(key)
      if (first) return first.webhookId === webhookId ? { kind: 'retry' } : { kind: 'replay', webhookId: first.webhookId }
      if (seen.size >= options.maxEntries) {
        seen.delete(seen.keys().next().value as string)
        options.onEvict?.()
      }
      seen.set(key, { webhookId, at })
      return { kind: 'new' }
    },
    /** Forgets a new claim whose record Kafka did not take: the body was not accepted after all. */
    release(source: string, body: Buffer, webhookId: string): void {
      const key = keyOf(source, body)
      if (seen.get(key)?.webhookId === webhookId) seen.delete(key)
    },
    size: (): number => seen.size,
  }
}
