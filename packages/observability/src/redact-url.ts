/**
 * A request URL fit for a log line or an audit record: the path as it came, every query
 * value replaced. Credentials travel in query strings (a stream token, a link someone
 * pasted), and a log is no place for them.
 */
export function redactUrl(url: string): string {
  const query = url.indexOf('?')
  if (query === -1) return url
  const names = url
    .slice(query + 1)
    .split('&')
    .filter((pair) => pair !== '')
    .map((pair) => `${pair.split('=')[0]}=[redacted]`)
  return `${url.slice(0, query)}?${names.join('&')}`
}
