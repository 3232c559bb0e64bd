import { createHash, timingSafeEqual } from 'node:crypto'

/** The cookie that carries the operators' token once the page has logged in. */
export const sessionCookieName = 'nudj_console_session'

// Hashing both sides gives equal lengths, which timingSafeEqual needs, without leaking the token's length.
const digest = (text: string): Buffer => createHash('sha256').update(text).digest()

/**
 * Whether a request carries the token, as `Authorization: Bearer <token>` or as the session
 * cookie; compared in constant time. A token in a URL is never looked at.
 */
export function createCheckToken(token: string): (headers: { authorization?: string; cookie?: string }) => boolean {
  const expected = digest(token)
  return (headers) => {
    const presented = /^Bearer +(\S+) *$/i.exec(headers.authorization ?? '')?.[1] ?? cookieValue(headers.cookie)
    return presented !== undefined && timingSafeEqual(digest(presented), expected)
  }
}

/**
 * `Set-Cookie` for the session: HttpOnly (no script reads it), SameSite=Strict (no other
 * site's request carries it: no CSRF), Secure over TLS, for the whole console, and ending
 * with the browser session. An empty token clears it.
 */
export function sessionCookie(token: string, secure: boolean): string {
  const attributes = ['Path=/', 'HttpOnly', 'SameSite=Strict', ...(token === '' ? ['Max-Age=0'] : []), ...(secure ? ['Secure'] : [])]
  return [`${sessionCookieName}=${encodeURIComponent(token)}`, ...attributes].join('; ')
}

function cookieValue(header: string | undefined): string | undefined {
  for (const pair of (header ?? '').split(';')) {
    const at = pair.indexOf('=')
    if (at > 0 && pair.slice(0, at).trim() === sessionCookieName) {
      try {
        return decodeURIComponent(pair.slice(at + 1).trim()) || undefined
      } catch {
        return undefined
      }
    }
  }
  return undefined
}
