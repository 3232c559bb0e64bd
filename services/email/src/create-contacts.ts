import { LRUCache } from 'lru-cache'
import type pg from 'pg'
import type { RecipientProblem } from './parse-recipient.ts'

/** `emailProblem`: why the latest address a user event gave was refused (read only while `email` is empty). */
export type Contact = { userId: string; email?: string; name?: string; locale?: string; emailProblem?: RecipientProblem }

export type Contacts = {
  /** Idempotent and order-independent: each field keeps the latest event's value (see below). */
  upsert: (contact: Contact, occurredAt: string) => Promise<void>
  /** Through the LRU cache; a miss is not cached (the user event may still be on its way). */
  get: (userId: string) => Promise<Contact | undefined>
  /** Straight from the table, for a decision that must see the latest row (a waiting send). */
  read: (userId: string) => Promise<Contact | undefined>
}

type Row = { email: string | null; name: string | null; locale: string | null; email_problem: RecipientProblem | null }

// A newer event's value wins; an older event arriving later only fills a field that is still empty.
const latest = (column: string): string =>
  `${column} = COALESCE(CASE WHEN EXCLUDED.updated_at >= email_contacts.updated_at THEN EXCLUDED.${column} END, email_contacts.${column}, EXCLUDED.${column})`

/** The contact table the service keeps from user events, read through an in-memory LRU cache. */
export function createContacts(pool: pg.Pool, options: { cacheSize: number; ttlMs: number }): Contacts {
  const cache = new LRUCache<string, Contact>({ max: options.cacheSize, ttl: options.ttlMs })
  async function read(userId: string): Promise<Contact | undefined> {
    const { rows } = await pool.query<Row>('SELECT email, name, locale, email_problem FROM email_contacts WHERE user_id = $1', [userId])
    const row = rows[0]
    if (!row) return undefined
    return {
      userId,
      email: row.email ?? undefined,
      name: row.name ?? undefined,
      locale: row.locale ?? undefined,
      emailProblem: row.email_problem ?? undefined,
    }
  }
  return {
    async upsert(contact, occurredAt) {
      await pool.query(
        `INSERT INTO email_contacts (user_id, email, name, locale, email_problem, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (user_id) DO UPDATE SET ${['email', 'name', 'locale', 'email_problem'].map(latest).join(', ')},
           updated_at = GREATEST(email_contacts.updated_at, EXCLUDED.updated_at)`,
        [contact.userId, contact.email ?? null, contact.name ?? null, contact.locale ?? null, contact.emailProblem ?? null, occurredAt],
      )
      cache.delete(contact.userId)
    },
    async get(userId) {
      const cached = cache.get(userId)
      if (cached) return cached
      const contact = await read(userId)
      if (contact) cache.set(userId, contact)
      return contact
    },
    read,
  }
}
