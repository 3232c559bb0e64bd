import { LRUCache } from 'lru-cache'
import type pg from 'pg'

export type Contact = { userId: string; email?: string; name?: string; locale?: string }

export type Contacts = {
  /** Idempotent: the row keeps whichever update has the latest `occurredAt`. */
  upsert: (contact: Contact, occurredAt: string) => Promise<void>
  /** Through the LRU cache; a miss is not cached (the user event may still be on its way). */
  get: (userId: string) => Promise<Contact | undefined>
}

/** The contact table the service keeps from user events, read through an in-memory LRU cache. */
export function createContacts(pool: pg.Pool, options: { cacheSize: number; ttlMs: number }): Contacts {
  const cache = new LRUCache<string, Contact>({ max: options.cacheSize, ttl: options.ttlMs })
  return {
    async upsert(contact, occurredAt) {
      // A field the newer event leaves out keeps its older value.
      await pool.query(
        `INSERT INTO email_contacts (user_id, email, name, locale, updated_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (user_id) DO UPDATE SET
           email = COALESCE(EXCLUDED.email, email_contacts.email),
           name = COALESCE(EXCLUDED.name, email_contacts.name),
           locale = COALESCE(EXCLUDED.locale, email_contacts.locale),
           updated_at = EXCLUDED.updated_at
         WHERE email_contacts.updated_at <= EXCLUDED.updated_at`,
        [contact.userId, contact.email ?? null, contact.name ?? null, contact.locale ?? null, occurredAt],
      )
      cache.delete(contact.userId)
    },
    async get(userId) {
      const cached = cache.get(userId)
      if (cached) return cached
      const { rows } = await pool.query<{ email: string | null; name: string | null; locale: string | null }>(
        'SELECT email, name, locale FROM email_contacts WHERE user_id = $1',
        [userId],
      )
      const row = rows[0]
      if (!row) return undefined
      const contact: Contact = { userId, email: row.email ?? undefined, name: row.name ?? undefined, locale: row.locale ?? undefined }
      cache.set(userId, contact)
      return contact
    },
  }
}
