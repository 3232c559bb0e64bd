/** Request headers as Node gives them (lower-case names) or as a plain object. */
export type Headers = Record<string, string | string[] | undefined>

/** A header's first non-empty value, by case-insensitive name. */
export function readHeader(headers: Headers, name: string): string | undefined {
  const wanted = name.toLowerCase()
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== wanted) continue
    const first = Array.isArray(value) ? value[0] : value
    return first === undefined || first === '' ? undefined : first
  }
  return undefined
}
