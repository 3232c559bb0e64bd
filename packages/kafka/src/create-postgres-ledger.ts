import type pg from 'pg'

/** What the ledger says about a webhook id before its effect runs. */
export type Claim = { status: 'new' } | { status: 'duplicate' } | { status: 'unfinished'; attempts: number }

export type PostgresLedger = {
  /** Creates the ledger table if it is missing. */
  migrate: () => Promise<void>
  /**
   * Effects in Postgres: runs `work` in a transaction that also records the id, so the
   * effect and the record commit together or not at all. Answers false for an id already done.
   * When `signal` aborts, the transaction is abandoned (see `inTransaction`).
   */
  runOnce: (group: string, id: string, work: (tx: pg.PoolClient) => Promise<void>, signal?: AbortSignal) => Promise<boolean>
  /** As runOnce for many ids in one transaction; `work` gets only the ids not done before. */
  runBatchOnce: (
    group: string,
    ids: string[],
    work: (tx: pg.PoolClient, fresh: Set<string>) => Promise<void>,
    signal?: AbortSignal,
  ) => Promise<Set<string>>
  /** External effects, step 1: claim the id before sending (see `Claim`). */
  claim: (group: string, id: string) => Promise<Claim>
  /** External effects, step 2: the effect happened. */
  complete: (group: string, id: string) => Promise<void>
  /** Whether the database answers (the outage probe). */
  ping: () => Promise<boolean>
}

/** The idempotency ledger, keyed by (consumer group, webhook id). */
export function createPostgresLedger(pool: pg.Pool): PostgresLedger {
  /**
   * Runs `work` in a transaction. When `signal` aborts (the handler timeout, shutdown), the
   * transaction is abandoned at once, even if `work` ignores the signal: its connection is
   * closed, so it can never commit and Postgres rolls it back, and its statement in hand is
   * cancelled, so its locks go now rather than when that statement ends. Later queries of
   * the abandoned `work` fail ("Client was closed"); none of its writes survive.
   */
  async function inTransaction<T>(work: (tx: pg.PoolClient) => Promise<T>, signal?: AbortSignal): Promise<T> {
    signal?.throwIfAborted()
    const tx = await pool.connect()
    const abandoned = Promise.withResolvers<never>()
    const abandon = (): void => abandoned.reject(signal?.reason)
    signal?.addEventListener('abort', abandon, { once: true })
    let broken = false
    try {
      signal?.throwIfAborted()
      return await Promise.race([
        (async () => {
          await tx.query('BEGIN')
          const result = await work(tx)
          await tx.query('COMMIT')
          return result
        })(),
        abandoned.promise,
      ])
    } catch (err) {
      if (signal?.aborted) broken = true
      else
        await tx.query('ROLLBACK').catch(() => {
          broken = true
        })
      throw err
    } finally {
      signal?.removeEventListener('abort', abandon)
      tx.release(broken)
      // Best effort, not awaited: without it the server finishes the statement (at most the
      // pool's statement_timeout) before it notices the closed connection and rolls back.
      const pid = (tx as { processID?: number | null }).processID
      if (broken && typeof pid === 'number') void pool.query('SELECT pg_cancel_backend($1)', [pid]).catch(() => undefined)
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
    async runOnce(group, id, work, signal) {
      return await inTransaction(async (tx) => {
        const inserted = await tx.query(
          `INSERT INTO consumer_ledger (consumer_group, webhook_id, state, completed_at) VALUES ($1, $2, 'completed', now())
           ON CONFLICT DO NOTHING RETURNING 1`,
          [group, id],
        )
        if (inserted.rowCount === 0) return false
        await work(tx)
        return true
      }, signal)
    },
    async runBatchOnce(group, ids, work, signal) {
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
      }, signal)
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
