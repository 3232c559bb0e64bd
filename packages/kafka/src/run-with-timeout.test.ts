import { describe, expect, it } from 'vitest'
import { RetryableError } from './errors.ts'
import { runWithTimeout } from './run-with-timeout.ts'

const never = new AbortController().signal

describe('runWithTimeout', () => {
  it('answers what the work answers when it finishes in time', async () => {
    await expect(runWithTimeout(5_000, 'the handler', never, async () => 'done')).resolves.toBe('done')
  })

  it('stops waiting for work that ignores its signal, aborts the signal and rejects with HANDLER_TIMEOUT', async () => {
    let seen: AbortSignal | undefined
    const result = runWithTimeout(20, 'the handler', never, async (signal) => {
      seen = signal
      await new Promise(() => undefined)
    })
    await expect(result).rejects.toMatchObject({
      name: 'RetryableError',
      code: 'HANDLER_TIMEOUT',
      message: 'the handler did not finish within 20 ms',
    })
    expect(seen?.aborted).toBe(true)
    expect(seen?.reason).toBeInstanceOf(RetryableError)
  })

  it('reports the timeout, not what the aborted work threw', async () => {
    const result = runWithTimeout(20, 'a batch of 3 messages', never, async (signal) => {
      await new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('Client was closed and is not queryable'))))
    })
    await expect(result).rejects.toMatchObject({ code: 'HANDLER_TIMEOUT', message: 'a batch of 3 messages did not finish within 20 ms' })
  })

  it('stops at once on shutdown with the shutdown reason', async () => {
    const stopping = new AbortController()
    const result = runWithTimeout(60_000, 'the handler', stopping.signal, async () => await new Promise(() => undefined))
    stopping.abort(new RetryableError('CONSUMER_STOPPING', 'stopping'))
    await expect(result).rejects.toMatchObject({ code: 'CONSUMER_STOPPING' })
    await expect(runWithTimeout(60_000, 'the handler', stopping.signal, async () => 'late')).rejects.toMatchObject({
      code: 'CONSUMER_STOPPING',
    })
  })
})
