import { isIP } from 'node:net'

/** The names proxy-addr (Fastify's trustProxy) knows for whole ranges. */
const namedRanges = new Set(['loopback', 'linklocal', 'uniquelocal'])

/**
 * A `*_TRUSTED_PROXIES` variable as the list Fastify's trustProxy takes: addresses, CIDRs and
 * named ranges. An entry that is none of these is a problem (the proxy-addr error would come
 * only when the app is built, and a typo must not silently trust nobody, or everybody).
 */
export function parseTrustedProxies(name: string, text: string, problems: string[]): string[] {
  const entries = text
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
  for (const entry of entries) {
    if (namedRanges.has(entry)) continue
    const [address = '', prefix, extra] = entry.split('/')
    const family = isIP(address)
    const prefixOk = prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 6 ? 128 : 32))
    if (family === 0 || !prefixOk || extra !== undefined)
      problems.push(`${name}: '${entry}' is not an address, a CIDR (10.0.0.0/8) or one of ${[...namedRanges].join(', ')}`)
  }
  return entries
}
