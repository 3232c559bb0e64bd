import { describe, expect, it } from 'vitest'
import { waitFor } from './wait-for.ts'

describe('waitFor', () => {
  it('resolves with the first truthy value of the condition', async () => {
    let calls = 0
    const value = await waitFor(() => (++calls >= 3 ? `after ${calls}` : undefined), { timeoutMs: 1000, intervalMs: 1 })
    expect(value).toBe('after 3')
  })

  it('fails with the given message when the condition never holds', async () => {
    await expect(waitFor(() => false, { timeoutMs: 20, intervalMs: 5, message: 'never' })).rejects.toThrow('never')
  })

  it('stops at once when the condition throws', async () => {
    let calls = 0
    const failing = (): boolean => {
      calls += 1
      throw new Error('verdict')
    }
    await expect(waitFor(failing, { timeoutMs: 1000 })).rejects.toThrow('verdict')
    expect(calls).toBe(1)
  })
})

describe('waitFor with retryErrors', () => {
  it('treats a throw as "not yet" and resolves once the condition holds', async () => {
    let calls = 0
    const flaky = (): string => {
      calls += 1
      if (calls < 3) throw new Error('not reachable yet')
      return 'reached'
    }
    expect(await waitFor(flaky, { timeoutMs: 1000, intervalMs: 1, retryErrors: true })).toBe('reached')
  })

  it('names the last error when it times out', async () => {
    const failing = (): boolean => {
      throw new Error('connection refused')
    }
    await expect(waitFor(failing, { timeoutMs: 20, intervalMs: 5, message: 'never', retryErrors: true })).rejects.toThrow(
      'never (last error: connection refused)',
    )
  })
})
