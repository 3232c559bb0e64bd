// The email service's composition root: configuration, start, graceful shutdown.
import { ConfigError, describeConfig, packageVersion } from '@nudj-webhooks/config'
import { createLogger, installShutdown } from '@nudj-webhooks/observability'
import { emailEnvSchema, loadEmailConfig } from './config.ts'
import { startEmail } from './start-email.ts'

const version = packageVersion(import.meta.url)

if (process.argv.includes('--help')) {
  process.stdout.write(
    `email: transactional emails for Nudj events over pooled SMTP, once per webhook.\nConfiguration (environment variables, with defaults):\n\n${describeConfig(emailEnvSchema)}\n`,
  )
  process.exit(0)
}

let config
try {
  config = loadEmailConfig()
} catch (err) {
  if (!(err instanceof ConfigError)) throw err
  process.stderr.write(`email: ${err.message}\n`)
  process.exit(78) // EX_CONFIG: nothing was started
}

const logger = createLogger({ service: 'email', version, level: config.LOG_LEVEL })
let email
try {
  email = await startEmail(config, logger)
} catch (err) {
  logger.fatal({ err }, 'could not start (are Postgres, Kafka and the schema registry reachable?)')
  process.exit(1)
}
installShutdown(logger, [{ name: 'stop the API, finish in-flight sends, commit, disconnect', run: email.close }], config.shutdownTimeoutMs)
