/** The cookie that carries a user token after the page exchanged it (POST .../session). */
export const sessionCookieName = 'nudj_notifications_token'

/** Only the user's own notification routes receive it: `/v1/users/<id>/notifications...`. */
export const sessionCookiePath = (userId: string): string => `/v1/users/${encodeURIComponent(userId)}/notifications`

/**
 * `Set-Cookie` for a token: HttpOnly (no script reads it), SameSite=Strict (no other site's
 * request carries it, so no CSRF on the read route), Secure when the request came over TLS,
 * and gone when the token expires. `maxAgeSeconds` 0 clears it.
 */
export function sessionCookie(userId: string, token: string, maxAgeSeconds: number, secure: boolean): string {
  const attributes = [`Path=${sessionCookiePath(userId)}`, `Max-Age=${Math.max(0, maxAgeSeconds)}`, 'HttpOnly', 'SameSite=Strict']
  if (secure) attributes.push('Secure')
  return [`${sessionCookieName}=${token}`, ...attributes].join('; ')
}

/** The token in a `Cookie` header, if any (tokens are base64url and dots: no quoting). */
export function cookieToken(header: string | undefined): string | undefined {
  if (!header) return undefined
  for (const pair of header.split(';')) {
    const at = pair.indexOf('=')
    if (at > 0 && pair.slice(0, at).trim() === sessionCookieName) return pair.slice(at + 1).trim() || undefined
  }
  return undefined
}
