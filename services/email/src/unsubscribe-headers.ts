/**
 * List-Unsubscribe (RFC 2369) with a mailto and/or an https URL, and List-Unsubscribe-Post
 * (RFC 8058, one-click) when there is a URL.
 */
export function unsubscribeHeaders(recipient: string, options: { mailto: string; url: string }): Record<string, string> {
  const targets: string[] = []
  if (options.url) {
    const url = new URL(options.url)
    url.searchParams.set('email', recipient)
    targets.push(`<${url.toString()}>`)
  }
  if (options.mailto) targets.push(`<mailto:${options.mailto}?subject=unsubscribe>`)
  if (targets.length === 0) return {}
  return {
    'List-Unsubscribe': targets.join(', '),
    ...(options.url ? { 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' } : {}),
  }
}
