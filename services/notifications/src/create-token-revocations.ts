import type { Queryable } from './create-inbox.ts'

export type TokenRevocations = {
  /**
   * Refuses every token of the user issued before now (TOKEN_REVOKED), and ends the user's open
   * streams on every replica (a NOTIFY on `channel`). Answers the new not-before time.
   */
  revoke: (userId: string) => Promise<Date>
  /** The user's not-before time in ms, or undefined when nothing was revoked. */
  notBefore: (userId: string) => Promise<number | undefined>
}

/**
 * Revocation by user: one row per revoked user (`token_revocations`), so the table stays as
 * small as the set of users who ever needed it, and one primary-key read per request. Token
 * times are whole seconds: a token issued in the very second of a revocation is refused too.
 */
export function createTokenRevocations(db: Queryable, channel: string): TokenRevocations {
  return {
    async revoke(userId) {
      const { rows } = await db.query<{ not_before: Date }>(
        `WITH revoked AS (
           INSERT INTO token_revocations (user_id, not_before) VALUES ($1, now())
           ON CONFLICT (user_id) DO UPDATE SET not_before = greatest(token_revocations.not_before, excluded.not_before)
           RETURNING not_before
         )
         SELECT not_before, pg_notify($2, json_build_object('revokedUserId', $1::text, 'notBefore', not_before)::text) FROM revoked`,
        [userId, channel],
      )
      return rows[0]!.not_before
    },
    async notBefore(userId) {
      const { rows } = await db.query<{ not_before: Date }>('SELECT not_before FROM token_revocations WHERE user_id = $1', [userId])
      return rows[0]?.not_before.getTime()
    },
  }
}
