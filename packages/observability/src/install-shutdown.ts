import type { Logger } from 'pino'

export type ShutdownStep = { name: string; run: () => Promise<void> }

/**
 * On SIGTERM or SIGINT, runs the steps in order (stop accepting, drain, flush, disconnect),
 * each logged with its duration, then exits: 0 when all finished within `timeoutMs`,
 * 1 otherwise. A second signal does not start a second shutdown.
 */
export function installShutdown(logger: Logger, steps: ShutdownStep[], timeoutMs: number): void {
  let started = false
  const shutdown = async (signal: string): Promise<void> => {
    if (started) return
    started = true
    logger.info({ signal }, 'shutting down')
    const deadline = setTimeout(() => {
      logger.error({ timeoutMs }, 'shutdown did not finish in time, exiting')
      process.exit(1)
    }, timeoutMs)
    deadline.unref()
    let code = 0
    for (const step of steps) {
      const began = performance.now()
      try {
        await step.run()
        logger.info({ step: step.name, durationMs: Math.round(performance.now() - began) }, 'shutdown step done')
      } catch (err) {
        code = 1
        logger.error({ err, step: step.name }, 'shutdown step failed')
      }
    }
    process.exit(code)
  }
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => void shutdown(signal))
}
