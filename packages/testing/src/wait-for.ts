import { setTimeout as sleep } from 'node:timers/promises'

export type WaitForOptions = {
  timeoutMs: number
  intervalMs?: number
  /** What the timeout error says; defaults to a generic message. */
  message?: string
}

/**
 * Polls `condition` until it returns a truthy value and resolves with that value.
 * An error thrown by the condition ends the wait at once (it is a verdict, not a "not yet").
 */
export async function waitFor<T>(condition: () => T | Promise<T>, options: WaitForOptions): Promise<NonNullable<T>> {
  const deadline = performance.now() + options.timeoutMs
  for (;;) {
    const value = await condition()
    if (value) return value
    if (performance.now() >= deadline) {
      throw new Error(options.message ?? `condition not met within ${options.timeoutMs} ms`)
    }
    await sleep(options.intervalMs ?? 50)
  }
}
