/**
 * What went wrong with a `fetch` that got no response. fetch wraps network failures in
 * TypeError('fetch failed') and puts the useful part (ECONNREFUSED, ...) in `cause`.
 */
export function describeFetchError(error: unknown): string {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code
    return typeof code === 'string' && !cause.message.includes(code) ? `${code}: ${cause.message}` : cause.message
  }
  return String(cause)
}
