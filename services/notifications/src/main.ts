// The notifications service's composition root: configuration, start, graceful shutdown.
import { ConfigError, describeConfig, packageVersion } from '@nudj-webhooks/config'
import { createLogger, installShutdown } from '@nudj-webhooks/observability'
import { loadNotificationsConfig, notificationsEnvSchema } from './config.ts'
import { startNotifications } from './start-notifications.ts'

const version = packageVersion(import.meta.url)

if (process.argv.includes('--help')) {
  process.stdout.write(
    `notifications: live notifications (SSE), an inbox and operator chat alerts from Nudj events.\nConfiguration (environment variables, with defaults):\n\n${describeConfig(notificationsEnvSchema)}\n`,
  )
  process.exit(0)
}

let config
try {
  config = loadNotificationsConfig()
} catch (err) {
  if (!(err instanceof ConfigError)) throw err
  process.stderr.write(`notifications: ${err.message}\n`)
  process.exit(78) // EX_CONFIG: nothing was started
}

const logger = createLogger({ service: 'notifications', version, level: config.LOG_LEVEL })
let running
try {
  running = await startNotifications(config, logger)
} catch (err) {
  logger.fatal({ err }, 'could not start (is Postgres reachable? Kafka? the schema registry?)')
  process.exit(1)
}
installShutdown(
  logger,
  [{ name: 'close streams, finish the batch in hand, commit, leave the group, disconnect', run: running.close }],
  config.shutdownTimeoutMs,
)
