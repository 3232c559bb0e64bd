import { RetryableError } from './errors.ts'

/**
 * Runs `work` for at most `ms`, or until `outer` aborts (shutdown). Then the signal `work`
 * was given aborts, with a `HANDLER_TIMEOUT` RetryableError as its reason at the timeout,
 * and the caller stops waiting whether or not `work` heeds the signal: whatever `work` does
 * afterwards is no longer awaited (a ledger transaction given the signal is abandoned and
 * rolled back; see the package README for other late side effects).
 */
export async function runWithTimeout<R>(
  ms: number,
  what: string,
  outer: AbortSignal,
  work: (signal: AbortSignal) => Promise<R>,
): Promise<R> {
  outer.throwIfAborted()
  const controller = new AbortController()
  const signal = AbortSignal.any([controller.signal, outer])
  const stopped = Promise.withResolvers<never>()
  const stop = (): void => stopped.reject(signal.reason)
  signal.addEventListener('abort', stop, { once: true })
  const timer = setTimeout(() => controller.abort(new RetryableError('HANDLER_TIMEOUT', `${what} did not finish within ${ms} ms`)), ms)
  try {
    return await Promise.race([work(signal), stopped.promise])
  } catch (err) {
    // What the work throws once aborted (an AbortError, a closed connection) is the abort's doing.
    throw signal.aborted ? signal.reason : err
  } finally {
    clearTimeout(timer)
    signal.removeEventListener('abort', stop)
  }
}
