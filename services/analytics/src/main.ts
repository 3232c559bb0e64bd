// The analytics service's composition root: configuration, start, graceful shutdown.
import { ConfigError, describeConfig, packageVersion } from '@nudj-webhooks/config'
import { createLogger, installShutdown } from '@nudj-webhooks/observability'
import { analyticsEnvSchema, loadAnalyticsConfig } from './config.ts'
import { startAnalytics } from './start-analytics.ts'

const version = packageVersion(import.meta.url)

if (process.argv.includes('--help')) {
  process.stdout.write(
    `analytics: projects every Nudj event into Postgres and serves the query API.\nConfiguration (environment variables, with defaults):\n\n${describeConfig(analyticsEnvSchema)}\n`,
  )
  process.exit(0)
}

let config
try {
  config = loadAnalyticsConfig()
} catch (err) {
  if (!(err instanceof ConfigError)) throw err
  process.stderr.write(`analytics: ${err.message}\n`)
  process.exit(78) // EX_CONFIG: nothing was started
}

const logger = createLogger({ service: 'analytics', version, level: config.LOG_LEVEL })
let analytics
try {
  analytics = await startAnalytics(config, logger)
} catch (err) {
  logger.fatal({ err }, 'could not start (is Kafka reachable? Postgres? the schema registry?)')
  process.exit(1)
}
installShutdown(
  logger,
  [{ name: 'stop the query API, commit the batch in hand, leave the group, close Postgres', run: analytics.close }],
  config.shutdownTimeoutMs,
)
