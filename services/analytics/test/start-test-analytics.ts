import { randomBytes } from 'node:crypto'
import { serviceEnv, type Infra } from '@nudj-webhooks/testing'
import pg from 'pg'
import { pino } from 'pino'
import { loadAnalyticsConfig, type AnalyticsConfig } from '../src/config.ts'
import { projectionTables } from '../src/migrations.ts'
import { startAnalytics, type RunningAnalytics } from '../src/start-analytics.ts'

/** The query API's bearer token in tests (random per run); `authorization` is the header that carries it. */
export const testApiToken = randomBytes(24).toString('base64url')
export const authorization = { authorization: `Bearer ${testApiToken}` }

/** The service's configuration for a test: its own database, topics and group, a short retry schedule, `testApiToken`. */
export function testConfig(
  infra: Infra,
  env: { databaseUrl: string; topicPrefix: string; group: string },
  overrides: Record<string, string> = {},
): AnalyticsConfig {
  return loadAnalyticsConfig(
    serviceEnv('analytics', infra, {
      ...env,
      partitions: 3,
      retrySchedule: '1s',
      env: { ANALYTICS_API_TOKENS: testApiToken, ...overrides },
    }),
  )
}

export const testLogger = pino({ level: 'warn' })

export async function startTestAnalytics(config: AnalyticsConfig): Promise<RunningAnalytics> {
  return await startAnalytics(config, testLogger)
}

/** Every projection table's rows in a fixed order, for comparing two states table by table. */
export async function snapshotProjections(databaseUrl: string): Promise<Record<string, unknown[]>> {
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  try {
    const snapshot: Record<string, unknown[]> = {}
    for (const table of projectionTables) {
      const { rows } = await client.query(`SELECT * FROM ${table} ORDER BY 1, 2, 3`)
      snapshot[table] = rows
    }
    return snapshot
  } finally {
    await client.end()
  }
}
