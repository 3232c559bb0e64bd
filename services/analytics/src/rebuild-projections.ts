import { setTimeout as sleep } from 'node:timers/promises'
import { connectionSecurity, createKafkaClient, createPostgresLedger, retryCoordinator, retryGroupId } from '@nudj-webhooks/kafka'
import { createMetricsRegistry } from '@nudj-webhooks/observability'
import { createPool, migrate } from '@nudj-webhooks/postgres'
import type { Logger } from 'pino'
import type { AnalyticsConfig } from './config.ts'
import { migrations, projectionTables } from './migrations.ts'
import { committedSoFar, forgetOffsets, partitionEnds } from './group-offsets.ts'
import { RebuildError } from './rebuild-error.ts'
import { startProjector } from './start-analytics.ts'

export type RebuildProgress = { done: number; total: number; remaining: number; perSecond: number; elapsedMs: number }

/**
 * Rebuilds the projections from the log: refuses while the group (or its retry group) has
 * members; forgets the group's committed offsets (so it starts again from the earliest
 * record); empties the projections and the group's ledger rows in one transaction; then
 * projects in this process until the group has reached the end each partition had when the
 * rebuild began.
 */
export async function rebuildProjections(
  config: AnalyticsConfig,
  logger: Logger,
  options: { onProgress?: (progress: RebuildProgress) => void; progressEveryMs?: number } = {},
): Promise<RebuildProgress> {
  const group = config.CONSUMER_GROUP
  const security = connectionSecurity(config, (message) => logger.warn(message)) // throws before anything connects
  const kafka = createKafkaClient({
    brokers: config.brokers,
    clientId: `${config.KAFKA_CLIENT_ID}-rebuild`,
    logger,
    security: security.kafka,
  })
  const admin = kafka.admin()
  const pool = createPool({
    url: config.databaseUrl,
    applicationName: 'analytics-rebuild',
    max: config.ANALYTICS_DB_POOL_SIZE,
    statementTimeoutMs: config.statementTimeoutMs,
    logger,
  })
  await admin.connect()
  try {
    const { groups } = await retryCoordinator(() => admin.describeGroups([group, retryGroupId(group)]))
    const active = groups.filter((g) => g.members.length > 0)
    if (active.length > 0)
      throw new RebuildError(
        'GROUP_ACTIVE',
        `consumer group ${active.map((g) => `${g.groupId} has ${g.members.length} member(s)`).join(', ')}: stop the analytics service first`,
      )
    await migrate(pool, 'analytics', migrations, logger)
    await createPostgresLedger(pool).migrate()

    const existing = new Set(await admin.listTopics())
    const topics = config.topics.filter((t) => existing.has(t))
    const ends = await partitionEnds(admin, topics)
    const total = ends.reduce((sum, p) => sum + p.high - p.low, 0)
    // Offsets first: if the rest fails, a restarted service replays onto projections whose
    // ledger still knows every id, so nothing is counted twice.
    await forgetOffsets(admin, group)
    const tx = await pool.connect()
    try {
      await tx.query('BEGIN')
      // Emptying a large ledger may take longer than a batch's statements are allowed to.
      await tx.query('SET LOCAL statement_timeout = 0')
      await tx.query(`TRUNCATE ${projectionTables.join(', ')}`)
      await tx.query('DELETE FROM consumer_ledger WHERE consumer_group = $1', [group])
      await tx.query('COMMIT')
    } catch (err) {
      await tx.query('ROLLBACK').catch(() => undefined)
      throw err
    } finally {
      tx.release()
    }
    logger.info({ group, total, partitions: ends.length }, 'projections emptied; replaying from the earliest offsets')

    const began = performance.now()
    const { consumer } = await startProjector(config, { kafka, pool, registry: createMetricsRegistry('analytics'), logger, security })
    let progress: RebuildProgress = { done: 0, total, remaining: total, perSecond: 0, elapsedMs: 0 }
    try {
      for (;;) {
        const done = await committedSoFar(admin, group, topics, ends)
        const elapsedMs = performance.now() - began
        progress = { done, total, remaining: total - done, perSecond: Math.round(done / Math.max(elapsedMs / 1000, 0.001)), elapsedMs }
        options.onProgress?.(progress)
        if (progress.remaining <= 0) break
        await sleep(options.progressEveryMs ?? 1000)
      }
    } finally {
      await consumer.close()
    }
    return progress
  } finally {
    await admin.disconnect()
    await pool.end()
  }
}
