import { createPool } from '@nudj-webhooks/postgres'
import type pg from 'pg'
import type { Logger } from 'pino'
import type { AnalyticsConfig } from './config.ts'

/**
 * createPool, plus a listener on every client: pg emits 'error' on a client that is checked
 * out (a batch transaction) when Postgres goes away, and with no listener that error would
 * end the process. The query in hand fails anyway, and the runtime pauses for the outage.
 */
export function createAnalyticsPool(config: AnalyticsConfig, logger: Logger, applicationName: string): pg.Pool {
  const pool = createPool({ url: config.databaseUrl, applicationName, max: config.ANALYTICS_DB_POOL_SIZE, logger })
  pool.on('connect', (client) => client.on('error', (err) => logger.warn({ err }, 'Postgres connection lost')))
  return pool
}
