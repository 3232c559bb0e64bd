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
