import type pg from 'pg'

export type Suppression = { email: string; reason: string | null; createdAt: string }

/** Every address is a recipient's `key` (parseRecipient): the whole address lower-case. */
export type Suppressions = {
  /** Answers true when the address was not suppressed before. */
  add: (email: string, reason?: string) => Promise<boolean>
  /** Answers true when the address was suppressed. */
  remove: (email: string) => Promise<boolean>
  isSuppressed: (email: string) => Promise<boolean>
  /** In address order, `limit` after `after` (keyset pagination). */
  list: (options: { limit: number; after?: string }) => Promise<Suppression[]>
}

/** Addresses never written to, checked in Postgres before every send (so every replica agrees at once). */
export function createSuppressions(pool: pg.Pool): Suppressions {
  // Keys are lower-case already; lowering again keeps the table's CHECK true whatever a caller passes.
  const norm = (email: string): string => email.trim().toLowerCase()
  return {
    async add(email, reason) {
      const result = await pool.query(
        `INSERT INTO email_suppressions (email, reason) VALUES ($1, $2)
         ON CONFLICT (email) DO UPDATE SET reason = COALESCE(EXCLUDED.reason, email_suppressions.reason)
         RETURNING (xmax = 0) AS inserted`,
        [norm(email), reason ?? null],
      )
      return (result.rows[0] as { inserted: boolean } | undefined)?.inserted === true
    },
    async remove(email) {
      const result = await pool.query('DELETE FROM email_suppressions WHERE email = $1', [norm(email)])
      return (result.rowCount ?? 0) > 0
    },
    async isSuppressed(email) {
      const result = await pool.query('SELECT 1 FROM email_suppressions WHERE email = $1', [norm(email)])
      return (result.rowCount ?? 0) > 0
    },
    async list({ limit, after }) {
      const { rows } = await pool.query<{ email: string; reason: string | null; created_at: Date }>(
        'SELECT email, reason, created_at FROM email_suppressions WHERE email > $1 ORDER BY email LIMIT $2',
        [after === undefined ? '' : norm(after), limit],
      )
      return rows.map((r) => ({ email: r.email, reason: r.reason, createdAt: r.created_at.toISOString() }))
    },
  }
}
