import type pg from 'pg'
import type { Logger } from 'pino'

/** One step of a service's schema: applied once, in version order, never edited after release. */
export type Migration = { version: number; name: string; sql: string }

/**
 * Applies the migrations a database has not seen yet, each in its own transaction with its
 * record in `schema_migrations`. An advisory lock keeps replicas starting together from
 * racing; a recorded migration whose name changed is refused rather than guessed at.
 * A pool's `statement_timeout` does not apply: waiting for another replica's lock or
 * building an index may take longer than a batch's statements are allowed to.
 */
export async function migrate(pool: pg.Pool, service: string, migrations: Migration[], logger?: Logger): Promise<number[]> {
  const versions = migrations.map((m) => m.version)
  if (new Set(versions).size !== versions.length) throw new Error(`${service}: two migrations share a version`)
  const client = await pool.connect()
  try {
    await client.query('SET statement_timeout = 0')
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [`migrate:${service}`])
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      service text NOT NULL,
      version integer NOT NULL,
      name text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (service, version)
    )`)
    const { rows } = await client.query<{ version: number; name: string }>(
      'SELECT version, name FROM schema_migrations WHERE service = $1',
      [service],
    )
    const applied = new Map(rows.map((r) => [r.version, r.name]))
    const done: number[] = []
    for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
      const recorded = applied.get(migration.version)
      if (recorded !== undefined) {
        if (recorded !== migration.name)
          throw new Error(`${service}: migration ${migration.version} was applied as '${recorded}' but is now '${migration.name}'`)
        continue
      }
      await client.query('BEGIN')
      try {
        await client.query(migration.sql)
        await client.query('INSERT INTO schema_migrations (service, version, name) VALUES ($1, $2, $3)', [
          service,
          migration.version,
          migration.name,
        ])
        await client.query('COMMIT')
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined)
        throw new Error(`${service}: migration ${migration.version} (${migration.name}) failed: ${(err as Error).message}`, { cause: err })
      }
      logger?.info({ service, version: migration.version, migration: migration.name }, 'migration applied')
      done.push(migration.version)
    }
    return done
  } finally {
    await client.query('SELECT pg_advisory_unlock(hashtext($1))', [`migrate:${service}`]).catch(() => undefined)
    // Back to the pool's own statement_timeout, or out of the pool if that cannot be done.
    let resetFailed: Error | undefined
    await client.query('RESET statement_timeout').catch((err: Error) => {
      resetFailed = err
    })
    client.release(resetFailed)
  }
}
