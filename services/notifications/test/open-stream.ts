/** A minimal SSE client for tests and the benchmark: fetch, parse events, keep them in order. */
export type StreamEvent = { id?: string; event: string; data: string }

export type OpenStream = {
  status: number
  /** JSON error body when the status is not 200. */
  error?: { code: string; message: string }
  events: StreamEvent[]
  comments: string[]
  close: () => void
  /** Resolves when the server ends the stream. */
  ended: Promise<void>
}

export async function openStream(
  url: string,
  options: { token?: string; lastEventId?: string; headers?: Record<string, string>; onEvent?: (e: StreamEvent) => void } = {},
): Promise<OpenStream> {
  const abort = new AbortController()
  const headers: Record<string, string> = { accept: 'text/event-stream', ...options.headers }
  if (options.token) headers.authorization = `Bearer ${options.token}`
  if (options.lastEventId) headers['last-event-id'] = options.lastEventId
  const response = await fetch(url, { headers, signal: abort.signal })
  const events: StreamEvent[] = []
  const comments: string[] = []
  if (response.status !== 200 || !response.body) {
    const error = (await response.json()) as { code: string; message: string }
    return { status: response.status, error, events, comments, close: () => undefined, ended: Promise.resolve() }
  }
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader()
  const ended = (async () => {
    let buffer = ''
    try {
      for (;;) {
        const { value, done } = await reader.read()
        if (done) return
        buffer += value
        let end: number
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end)
          buffer = buffer.slice(end + 2)
          const parsed: StreamEvent = { event: 'message', data: '' }
          let isEvent = false
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) comments.push(line.slice(1).trim())
            else if (line.startsWith('id: ')) {
              parsed.id = line.slice(4)
              isEvent = true
            } else if (line.startsWith('event: ')) parsed.event = line.slice(7)
            else if (line.startsWith('data: ')) {
              parsed.data += line.slice(6)
              isEvent = true
            }
          }
          if (isEvent) {
            events.push(parsed)
            options.onEvent?.(parsed)
          }
        }
      }
    } catch {
      // aborted by close()
    }
  })()
  return { status: 200, events, comments, close: () => abort.abort(), ended }
}
