// Operations of the analytics service: `pnpm analytics <command>`. Run `--help` for each.
import { ConfigError, describeConfig, packageVersion } from '@nudj-webhooks/config'
import { createLogger } from '@nudj-webhooks/observability'
import { createPool, migrate } from '@nudj-webhooks/postgres'
import { analyticsEnvSchema, loadAnalyticsConfig, type AnalyticsConfig } from '../src/config.ts'
import { migrations } from '../src/migrations.ts'
import { rebuildProjections } from '../src/rebuild-projections.ts'

const usage = `usage: pnpm analytics <command> [--help]

commands:
  migrate   apply the projection migrations the database has not seen (the service also does at startup)
  rebuild   empty the projections and replay the analytics group from the earliest offsets;
            refuses while the service runs (stop every replica first); prints progress each second

Configuration comes from the same environment variables as the service (pnpm analytics --help-config).`

const help: Record<string, string> = {
  migrate: `usage: pnpm analytics migrate\n\nApplies services/analytics/src/migrations.ts to DATABASE_URL and prints the versions applied.`,
  rebuild: `usage: pnpm analytics rebuild

Rebuilds every projection from Kafka, exactly:
  1. refuses (exit 1, GROUP_ACTIVE) if CONSUMER_GROUP or its retry group has members;
  2. resets the group's offsets to the earliest record of every partition;
  3. in one transaction: truncates the projection tables and deletes the group's ledger rows;
  4. projects in this process until the group reaches the end every partition had at the start,
     printing events done, events/s and remaining about once a second; exits 0 with a summary.`,
}

async function main(argv: string[]): Promise<number> {
  const [command] = argv
  if (!command || command === '--help' || command === '-h') {
    console.log(usage)
    return command ? 0 : 2
  }
  if (command === '--help-config') {
    console.log(describeConfig(analyticsEnvSchema))
    return 0
  }
  if (!(command in help)) {
    console.error(`analytics: unknown command ${command}\n\n${usage}`)
    return 2
  }
  if (argv.includes('--help')) {
    console.log(help[command])
    return 0
  }
  let config: AnalyticsConfig
  try {
    config = loadAnalyticsConfig()
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err
    console.error(`analytics: ${err.message}`)
    return 78
  }
  const logger = createLogger({
    service: 'analytics',
    version: packageVersion(import.meta.url),
    level: config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL,
  })
  if (command === 'migrate') {
    const pool = createPool({ url: config.databaseUrl, applicationName: 'analytics-migrate', logger })
    try {
      const applied = await migrate(pool, 'analytics', migrations, logger)
      console.log(applied.length > 0 ? `applied migrations ${applied.join(', ')}` : 'nothing to apply')
    } finally {
      await pool.end()
    }
    return 0
  }
  console.log(`rebuilding the projections of group ${config.CONSUMER_GROUP}`)
  const result = await rebuildProjections(config, logger, {
    onProgress: (p) =>
      console.log(
        `${p.done.toLocaleString('en')} of ${p.total.toLocaleString('en')} events, ${p.perSecond.toLocaleString('en')}/s, ${p.remaining.toLocaleString('en')} remaining`,
      ),
  })
  console.log(
    `rebuilt: ${result.done.toLocaleString('en')} events in ${(result.elapsedMs / 1000).toFixed(1)} s (${result.perSecond.toLocaleString('en')}/s)`,
  )
  return 0
}

process.exitCode = await main(process.argv.slice(2)).catch((err: unknown) => {
  const code = (err as { code?: string }).code
  console.error(`analytics: ${code ? `${code}: ` : ''}${err instanceof Error ? err.message : String(err)}`)
  return 1
})
