import { describe, expect, it } from 'vitest'
import { checkSignedTimestamp } from './check-signed-timestamp.ts'

const now = Date.parse('2026-12-03T12:00:00.000Z')
const fiveMinutes = 300_000
const check = (timestamp: unknown) => checkSignedTimestamp({ timestamp }, 'timestamp', now, fiveMinutes)?.reason

describe('checkSignedTimestamp', () => {
  it('accepts a timestamp within the tolerance either way', () => {
    expect(check('2026-12-03T12:00:00.000Z')).toBeUndefined()
    expect(check('2026-12-03T11:55:00Z')).toBeUndefined()
    expect(check('2026-12-03T12:05:00.000Z')).toBeUndefined()
    expect(check('2026-12-03T13:04:00+01:00')).toBeUndefined()
  })

  it('refuses one beyond it, in the past or the future', () => {
    expect(check('2026-12-03T11:54:59.999Z')).toBe('TIMESTAMP_OUT_OF_TOLERANCE')
    expect(check('2026-12-03T12:05:00.001Z')).toBe('TIMESTAMP_OUT_OF_TOLERANCE')
    expect(check('2026-04-17T14:30:00.000Z')).toBe('TIMESTAMP_OUT_OF_TOLERANCE')
  })

  it('tells a missing timestamp from one it cannot read', () => {
    expect(check(undefined)).toBe('MISSING_TIMESTAMP')
    expect(check('')).toBe('MISSING_TIMESTAMP')
    expect(check(null)).toBe('MISSING_TIMESTAMP')
    for (const malformed of ['last tuesday', '2026-12-03T12:00:00', '2026-12-03', 1_796_299_200, '2026-13-45T12:00:00Z', { at: 1 }])
      expect(check(malformed), JSON.stringify(malformed)).toBe('MALFORMED_TIMESTAMP')
  })

  it("reads a gen-1 envelope's createdAt", () => {
    expect(checkSignedTimestamp({ createdAt: '2026-12-03T12:01:00Z' }, 'createdAt', now, fiveMinutes)).toBeUndefined()
    expect(checkSignedTimestamp({ timestamp: '2026-12-03T12:01:00Z' }, 'createdAt', now, fiveMinutes)?.reason).toBe('MISSING_TIMESTAMP')
  })
})
