import { setTimeout as sleep } from 'node:timers/promises'

export type WaitForOptions = {
  timeoutMs: number
  intervalMs?: number
  /** What the timeout error says (a function is called at the timeout); defaults to a generic message. */
  message?: string | (() => string)
  /**
   * Treat an error thrown by the condition as "not yet" and call it again, until the
   * deadline; the last error is then named in the timeout error. Only for conditions whose
   * I/O can fail for a moment (a slow or restarting server); off by default.
   */
  retryErrors?: boolean
}

/**
 * Polls `condition` until it returns a truthy value and resolves with that value.
 * An error thrown by the condition ends the wait at once (it is a verdict, not a "not yet"),
 * unless `retryErrors` is set.
 */
export async function waitFor<T>(condition: () => T | Promise<T>, options: WaitForOptions): Promise<NonNullable<T>> {
  const deadline = performance.now() + options.timeoutMs
  let lastError: unknown
  for (;;) {
    try {
      const value = await condition()
      if (value) return value
      lastError = undefined
    } catch (err) {
      if (!options.retryErrors) throw err
      lastError = err
    }
    if (performance.now() >= deadline) {
      const message =
        (typeof options.message === 'function' ? options.message() : options.message) ?? `condition not met within ${options.timeoutMs} ms`
      if (lastError === undefined) throw new Error(message)
      throw new Error(`${message} (last error: ${lastError instanceof Error ? lastError.message : JSON.stringify(lastError)})`, {
        cause: lastError,
      })
    }
    await sleep(options.intervalMs ?? 50)
  }
}
