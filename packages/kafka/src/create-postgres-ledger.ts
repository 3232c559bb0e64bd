import type pg from 'pg'

/** What the ledger says about a webhook id before its effect runs. */
export type Claim = { status: 'new' } | { status: 'duplicate' } | { status: 'unfinished'; attempts: number }

export type PostgresLedger = {
  /** Creates the ledger table if it is missing. */
  migrate: () => Promise<void>
  /**
   * Effects in Postgres: runs `work` in a transaction that also records the id, so the
   * effect and the record commit together or not at all. Answers false for an id already done.
   */
  runOnce: (group: string, id: string, work: (tx: pg.PoolClient) => Promise<void>) => Promise<boolean>
  /** As runOnce for many ids in one transaction; `work` gets only the ids not done before. */
  runBatchOnce: (group: string, ids: string[], work: (tx: pg.PoolClient, fresh: Set<string>) => Promise<void>) => Promise<Set<string>>
  /** External effects, step 1: claim the id before sending (see `Claim`). */
  claim: (group: string, id: string) => Promise<Claim>
  /** External effects, step 2: the effect happened. */
  complete: (group: string, id: string) => Promise<void>
  /** Whether the database answers (the outage probe). */
  ping: () => Promise<boolean>
}

/** The idempotency ledger, keyed by (consumer group, webhook id). */
export function createPostgresLedger(pool: pg.Pool): PostgresLedger {
  async function inTransaction<T>(work: (tx: pg.PoolClient) => Promise<T>): Promise<T> {
    const tx = await pool.connect()
    try {
      await tx.query('BEGIN')
      const result = await work(tx)
      await tx.query('COMMIT')
      return result
    } catch (err) {
      await tx.query('ROLLBACK').catch(() => undefined)
      throw err
    } finally {
      tx.release()
    }
  }

  return {
    async migrate() {
      await pool.query(`CREATE TABLE IF NOT EXISTS consumer_ledger (
        consumer_group text NOT NULL,
        webhook_id text NOT NULL,
        state text NOT NULL CHECK (state IN ('claimed', 'completed')),
        attempts integer NOT NULL DEFAULT 1,
        first_seen_at timestamptz NOT NULL DEFAULT now(),
        completed_at timestamptz,
        PRIMARY KEY (consumer_group, webhook_id)
      )`)
    },
    async runOnce(group, id, work) {
      return await inTransaction(async (tx) => {
        const inserted = await tx.query(
          `INSERT INTO consumer_ledger (consumer_group, webhook_id, state, completed_at) VALUES ($1, $2, 'completed', now())
           ON CONFLICT DO NOTHING RETURNING 1`,
          [group, id],
        )
        if (inserted.rowCount === 0) return false
        await work(tx)
        return true
      })
    },
    async runBatchOnce(group, ids, work) {
      return await inTransaction(async (tx) => {
        const inserted = await tx.query<{ webhook_id: string }>(
          `INSERT INTO consumer_ledger (consumer_group, webhook_id, state, completed_at)
           SELECT $1, id, 'completed', now() FROM unnest($2::text[]) AS id
           ON CONFLICT DO NOTHING RETURNING webhook_id`,
          [group, ids],
        )
        const fresh = new Set(inserted.rows.map((r) => r.webhook_id))
        if (fresh.size > 0) await work(tx, fresh)
        return fresh
      })
    },
    async claim(group, id) {
      // A second claim of an id that was claimed but never completed bumps its attempts:
      // the earlier run may or may not have reached the outside world.
      const result = await pool.query<{ attempts: number }>(
        `INSERT INTO consumer_ledger (consumer_group, webhook_id, state) VALUES ($1, $2, 'claimed')
         ON CONFLICT (consumer_group, webhook_id) DO UPDATE SET attempts = consumer_ledger.attempts + 1
           WHERE consumer_ledger.state = 'claimed'
         RETURNING attempts`,
        [group, id],
      )
      const row = result.rows[0]
      if (!row) return { status: 'duplicate' }
      return row.attempts === 1 ? { status: 'new' } : { status: 'unfinished', attempts: row.attempts }
    },
    async complete(group, id) {
      await pool.query(
        `UPDATE consumer_ledger SET state = 'completed', completed_at = now() WHERE consumer_group = $1 AND webhook_id = $2`,
        [group, id],
      )
    },
    async ping() {
      try {
        await pool.query('SELECT 1')
        return true
      } catch {
        return false
      }
    },
  }
}
