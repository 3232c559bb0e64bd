import type { DestinationStream, Logger } from 'pino'
import { createLogger } from './create-logger.ts'
import { installShutdown } from './install-shutdown.ts'

export type ServiceShell<C extends { LOG_LEVEL: string; shutdownTimeoutMs: number }, R extends { close: () => Promise<void> }> = {
  /** The service's name: the logger's `service`, and the prefix of what goes to stderr. */
  name: string
  version: string
  /** One line on what the service does, the first of `--help`. */
  summary: string
  /** The rest of `--help`: every setting with its default (`describeConfig(schema)`). */
  configHelp: string
  /** Reads and checks the configuration; throws a ConfigError listing every problem. */
  loadConfig: () => C
  start: (config: C, logger: Logger) => Promise<R>
  /** What to check when the start fails, in the log line: `is Kafka reachable?` */
  hint: string
  /** What `close()` does, as the shutdown step's name. */
  stopping: string
  argv?: string[]
  /** Where the log goes; stdout by default. */
  destination?: DestinationStream
}

/** EX_CONFIG (sysexits.h): the configuration is wrong, and nothing was started. */
const exitConfig = 78

/**
 * The shell of every service's main.ts: `--help` prints the configuration and exits 0; a
 * configuration problem goes to stderr and exits 78 before anything connects (so does one
 * found while starting, such as a setting the running cluster refuses); a start that fails
 * otherwise is logged with the hint and exits 1; a started service closes on SIGTERM or
 * SIGINT within SHUTDOWN_TIMEOUT (installShutdown). Answers the running service.
 */
export async function runService<C extends { LOG_LEVEL: string; shutdownTimeoutMs: number }, R extends { close: () => Promise<void> }>(
  shell: ServiceShell<C, R>,
): Promise<R> {
  const { name } = shell
  if ((shell.argv ?? process.argv).includes('--help')) {
    process.stdout.write(`${name}: ${shell.summary}\nConfiguration (environment variables, with defaults):\n\n${shell.configHelp}\n`)
    return process.exit(0)
  }
  let config: C
  try {
    config = shell.loadConfig()
  } catch (err) {
    if (!isConfigError(err)) throw err
    process.stderr.write(`${name}: ${err.message}\n`)
    return process.exit(exitConfig)
  }
  const logger = createLogger({ service: name, version: shell.version, level: config.LOG_LEVEL, destination: shell.destination })
  let running: R
  try {
    running = await shell.start(config, logger)
  } catch (err) {
    if (isConfigError(err)) {
      process.stderr.write(`${name}: ${err.message}\n`)
      return process.exit(exitConfig)
    }
    logger.fatal({ err }, `could not start (${shell.hint})`)
    return process.exit(1)
  }
  installShutdown(logger, [{ name: shell.stopping, run: running.close }], config.shutdownTimeoutMs)
  return running
}

/** @nudj-webhooks/config's ConfigError, known by its code (this package does not depend on that one). */
function isConfigError(err: unknown): err is Error {
  return err instanceof Error && (err as { code?: unknown }).code === 'CONFIG_INVALID'
}
