import pg from 'pg'
import type { Logger } from 'pino'

export type PoolOptions = {
  url: string
  applicationName: string
  max?: number
  logger: Logger
  /**
   * Postgres' `statement_timeout` of every connection (ms): the server cancels a longer
   * statement (SQLSTATE 57014). Unset: none, Postgres' default.
   */
  statementTimeoutMs?: number
}

/**
 * A pg pool that fails a connection attempt after 5 s instead of hanging, and logs (rather
 * than crashes on) the errors a restarting Postgres causes: pg emits 'error' on idle
 * clients and on checked-out ones (a transaction in hand), and an unheard 'error' event ends
 * the process. The query in hand fails anyway, and the consumer runtime pauses for the outage.
 */
export function createPool({ url, applicationName, max = 10, logger, statementTimeoutMs }: PoolOptions): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    application_name: applicationName,
    max,
    connectionTimeoutMillis: 5_000,
    // Sent in the startup message, so it holds for every statement on the connection.
    ...(statementTimeoutMs !== undefined && { statement_timeout: statementTimeoutMs }),
  })
  pool.on('error', (err) => logger.warn({ err }, 'idle Postgres connection lost'))
  pool.on('connect', (client) => client.on('error', (err) => logger.warn({ err }, 'Postgres connection lost')))
  return pool
}
