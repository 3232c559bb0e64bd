import { describe, expect, it } from 'vitest'
import { UsageError } from './ops-errors.ts'
import { parseReplayFrom } from './parse-replay-from.ts'

describe('parseReplayFrom', () => {
  it('reads earliest, a time with a zone, and a list of offsets', () => {
    expect(parseReplayFrom('earliest')).toEqual({ kind: 'earliest' })
    expect(parseReplayFrom('2026-03-01T09:30:00Z')).toEqual({ kind: 'time', ms: Date.UTC(2026, 2, 1, 9, 30) })
    expect(parseReplayFrom('2026-03-01T10:30:00+01:00')).toEqual({ kind: 'time', ms: Date.UTC(2026, 2, 1, 9, 30) })
    expect(parseReplayFrom('a.b:0:12,a.b:1:7')).toEqual({
      kind: 'offsets',
      offsets: [
        { topic: 'a.b', partition: 0, offset: 12 },
        { topic: 'a.b', partition: 1, offset: 7 },
      ],
    })
  })

  it('refuses a time without a zone, a malformed list, and a partition named twice', () => {
    expect(() => parseReplayFrom('2026-03-01T09:30:00')).toThrow(UsageError)
    expect(() => parseReplayFrom('latest')).toThrow(/earliest, an ISO 8601 time/)
    expect(() => parseReplayFrom('a.b:0:1,a.b:0:2')).toThrow(/names a.b:0 twice/)
  })
})
