import { describe, expect, it } from 'vitest'
import { createFormattersCache, pickLocale } from './create-formatters.ts'

describe('createFormattersCache', () => {
  it('keeps at most max locales however many distinct valid tags the events carry', () => {
    const cache = createFormattersCache(3)
    // Each is a locale Intl accepts (private-use extension), so pickLocale lets it through.
    const tags = Array.from({ length: 1000 }, (_, i) => pickLocale(`de-DE-x-u${i}`, 'en-GB'))
    expect(new Set(tags).size).toBe(1000)
    const first = cache.formattersFor(tags[0]!)
    for (const tag of tags) expect(cache.formattersFor(tag).locale).toBe(tag)
    expect(cache.size()).toBe(3)
    const last = tags.at(-1)!
    expect(cache.formattersFor(last)).toBe(cache.formattersFor(last))
    // The first was evicted long ago: built again, and still right.
    const rebuilt = cache.formattersFor(tags[0]!)
    expect(rebuilt).not.toBe(first)
    expect(rebuilt.number(1234.5)).toBe('1.234,5')
    expect(cache.size()).toBe(3)
  })
})
