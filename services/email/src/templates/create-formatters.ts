import { LRUCache } from 'lru-cache'

/** Dates and numbers in the reader's locale (dates in UTC, said so). */
export type Formatters = {
  locale: string
  date: (iso: string | undefined) => string
  number: (value: number) => string
  /** A reward's value: money when it has a currency, else a plain number or the text as sent. */
  amount: (value: number | string | undefined, currency?: string) => string | undefined
}

/** A usable locale: the given one when Intl knows it, else the fallback. */
export function pickLocale(wanted: string | undefined, fallback: string): string {
  if (!wanted) return fallback
  try {
    const [canonical] = Intl.getCanonicalLocales(wanted)
    return canonical && Intl.NumberFormat.supportedLocalesOf(canonical).length > 0 ? canonical : fallback
  } catch {
    return fallback
  }
}

/**
 * The formatters of a locale, built once (Intl objects are costly to make per email) and
 * kept for the `max` locales used last: locales come from events, and a valid tag can carry
 * any number of extensions (`de-DE-u-nu-latn`, `en-x-<anything>`), so a Map would grow forever.
 */
export function createFormattersCache(max: number): { formattersFor: (locale: string) => Formatters; size: () => number } {
  const byLocale = new LRUCache<string, Formatters>({ max })
  return {
    formattersFor(locale) {
      let formatters = byLocale.get(locale)
      if (!formatters) byLocale.set(locale, (formatters = createFormatters(locale)))
      return formatters
    },
    size: () => byLocale.size,
  }
}

/** The process's formatters: far more than the locales Nudj's users read in. */
export const { formattersFor } = createFormattersCache(200)

export function createFormatters(locale: string): Formatters {
  const dates = new Intl.DateTimeFormat(locale, {
    year: 'numeric',
    month: 'long',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZone: 'UTC',
    timeZoneName: 'short',
  })
  const numbers = new Intl.NumberFormat(locale)
  return {
    locale,
    date: (iso) => {
      const date = iso ? new Date(iso) : undefined
      return date && !Number.isNaN(date.getTime()) ? dates.format(date) : ''
    },
    number: (value) => numbers.format(value),
    amount(value, currency) {
      if (value === undefined) return undefined
      if (typeof value === 'string') return currency ? `${value} ${currency}` : value
      if (!currency) return numbers.format(value)
      try {
        return new Intl.NumberFormat(locale, { style: 'currency', currency }).format(value)
      } catch {
        return `${numbers.format(value)} ${currency}`
      }
    },
  }
}
