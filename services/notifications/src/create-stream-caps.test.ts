import { describe, expect, it } from 'vitest'
import { createStreamCaps } from './create-stream-caps.ts'

const codeOf = (result: ReturnType<ReturnType<typeof createStreamCaps>['acquire']>): string => (result.ok ? 'OK' : result.refusal.code)

describe('stream caps', () => {
  it('refuses per user and per address with 429, in total with 503, and frees slots on release', () => {
    const caps = createStreamCaps({ total: 4, perUser: 2, perAddress: 3 })
    const a1 = caps.acquire('a', '10.0.0.1')
    expect(codeOf(a1)).toBe('OK')
    expect(codeOf(caps.acquire('a', '10.0.0.2'))).toBe('OK')
    const refused = caps.acquire('a', '10.0.0.3')
    expect(refused).toMatchObject({ ok: false, refusal: { status: 429, code: 'TOO_MANY_STREAMS_FOR_USER', retryAfterSeconds: 30 } })
    expect(codeOf(caps.acquire('b', '10.0.0.1'))).toBe('OK')
    expect(codeOf(caps.acquire('c', '10.0.0.1'))).toBe('OK')
    expect(caps.acquire('d', '10.0.0.1')).toMatchObject({ ok: false, refusal: { status: 429, code: 'TOO_MANY_STREAMS_FROM_ADDRESS' } })
    expect(caps.acquire('d', '10.0.0.9')).toMatchObject({
      ok: false,
      refusal: { status: 503, code: 'TOO_MANY_STREAMS', retryAfterSeconds: 5 },
    })
    expect(caps.count()).toBe(4)
    if (!a1.ok) throw new Error('unreachable')
    a1.release()
    a1.release()
    expect(caps.count()).toBe(3)
    expect(codeOf(caps.acquire('d', '10.0.0.9'))).toBe('OK')
  })
})
