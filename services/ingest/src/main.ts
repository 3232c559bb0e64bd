// The ingest service's composition root: configuration, start, graceful shutdown.
import { ConfigError, describeConfig, packageVersion } from '@nudj-webhooks/config'
import { createLogger, installShutdown } from '@nudj-webhooks/observability'
import { ingestEnvSchema, loadIngestConfig } from './config.ts'
import { startIngest } from './start-ingest.ts'

const version = packageVersion(import.meta.url)

if (process.argv.includes('--help')) {
  process.stdout.write(
    `ingest: receives Nudj's webhooks and writes them to Kafka.\nConfiguration (environment variables, with defaults):\n\n${describeConfig(ingestEnvSchema)}\n`,
  )
  process.exit(0)
}

let config
try {
  config = loadIngestConfig()
} catch (err) {
  if (!(err instanceof ConfigError)) throw err
  process.stderr.write(`ingest: ${err.message}\n`)
  process.exit(78) // EX_CONFIG: nothing was started
}

const logger = createLogger({ service: 'ingest', version, level: config.LOG_LEVEL })
let ingest
try {
  ingest = await startIngest(config, logger)
} catch (err) {
  if (err instanceof ConfigError) {
    // Found against the running cluster (the topics' max.message.bytes): still a setting to fix.
    process.stderr.write(`ingest: ${err.message}\n`)
    process.exit(78)
  }
  logger.fatal({ err }, 'could not start (is Kafka reachable? the schema registry?)')
  process.exit(1)
}
installShutdown(
  logger,
  [{ name: 'stop accepting, answer in-flight requests, flush Kafka, disconnect', run: ingest.close }],
  config.shutdownTimeoutMs,
)
