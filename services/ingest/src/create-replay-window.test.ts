import { describe, expect, it } from 'vitest'
import { createReplayWindow } from './create-replay-window.ts'

const body = (text: string): Buffer => Buffer.from(text)

describe('createReplayWindow', () => {
  it('answers a signed body seen under another webhook id as a replay of the first, per source', () => {
    const window = createReplayWindow({ windowMs: 1000, maxEntries: 10, now: () => 0 })
    expect(window.claim('acme', body('{"a":1}'), 'dlv-1')).toEqual({ kind: 'new' })
    expect(window.claim('acme', body('{"a":1}'), 'dlv-2')).toEqual({ kind: 'replay', webhookId: 'dlv-1' })
    expect(window.claim('acme', body('{"a":1}'), 'dlv-1')).toEqual({ kind: 'retry' })
    expect(window.claim('other', body('{"a":1}'), 'dlv-3')).toEqual({ kind: 'new' })
    expect(window.claim('acme', body('{"a":2}'), 'dlv-4')).toEqual({ kind: 'new' })
  })

  it('forgets a body after the window', () => {
    let now = 0
    const window = createReplayWindow({ windowMs: 1000, maxEntries: 10, now: () => now })
    window.claim('acme', body('x'), 'dlv-1')
    now = 1000
    expect(window.claim('acme', body('x'), 'dlv-2')).toEqual({ kind: 'replay', webhookId: 'dlv-1' })
    now = 1001
    expect(window.claim('acme', body('x'), 'dlv-3')).toEqual({ kind: 'new' })
    expect(window.size()).toBe(1)
  })

  it('holds at most maxEntries, forgetting the oldest and counting each eviction', () => {
    let evictions = 0
    const window = createReplayWindow({ maxEntries: 100, now: () => 0, onEvict: () => (evictions += 1) })
    for (let i = 0; i < 1000; i++) window.claim('acme', body(`{"n":${i}}`), `dlv-${i}`)
    expect(window.size()).toBe(100)
    expect(evictions).toBe(900)
    expect(window.claim('acme', body('{"n":999}'), 'again')).toEqual({ kind: 'replay', webhookId: 'dlv-999' })
    expect(window.claim('acme', body('{"n":0}'), 'again')).toEqual({ kind: 'new' })
  })

  it('releases a claim whose record was not stored, but not a claim of another id', () => {
    const window = createReplayWindow({ windowMs: 1000, maxEntries: 10, now: () => 0 })
    window.claim('acme', body('x'), 'dlv-1')
    window.release('acme', body('x'), 'dlv-2')
    expect(window.claim('acme', body('x'), 'dlv-2')).toEqual({ kind: 'replay', webhookId: 'dlv-1' })
    window.release('acme', body('x'), 'dlv-1')
    expect(window.claim('acme', body('x'), 'dlv-2')).toEqual({ kind: 'new' })
  })
})
