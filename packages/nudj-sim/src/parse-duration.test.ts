import { describe, expect, it } from 'vitest'
import { parseDuration } from './parse-duration.ts'

describe('parseDuration', () => {
  it.each([
    ['250ms', 250],
    ['10s', 10_000],
    ['1.5m', 90_000],
    ['2h', 7_200_000],
  ])('%s is %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms)
  })

  it.each(['', '10', 's', '-1s', '1d', '10 seconds'])('refuses %j and names it', (text) => {
    expect(() => parseDuration(text)).toThrow(`'${text}' is not a duration`)
  })
})
