import { connect, type Socket } from 'node:net'

/** One request as bytes on the wire, sent in parts with pauses (slow bodies) or cut short. */
export type WireRequest = {
  kind: string
  method: string
  /** The parts written one after another; most requests have one. */
  parts: Buffer[]
  /** Pause between parts. */
  pauseMs: number
  /** Close the connection after the last part instead of waiting for an answer (truncated requests). */
  abandon: boolean
  /** A connection that may carry later requests: only well-framed requests keep it. */
  reusable: boolean
  /**
   * For requests the server may rightly wait on (incomplete framing): how long to wait for an
   * answer before closing the connection ourselves, counted as abandoned rather than a timeout.
   */
  waitMs?: number
}

export type Answer =
  | { status: number; code: string | undefined; body: string }
  | { status: 'closed_without_answer' | 'abandoned_by_client' | 'timeout' | 'connection_error'; detail?: string }

/** A client connection on which one request at a time is exchanged, answered as raw status and body. */
export type RawConnection = { socket: Socket; alive: boolean; pending: Buffer }

export async function openConnection(host: string, port: number): Promise<RawConnection> {
  const socket = connect({ host, port, noDelay: true })
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve)
    socket.once('error', reject)
  })
  const connection: RawConnection = { socket, alive: true, pending: Buffer.alloc(0) }
  socket.on('error', () => (connection.alive = false))
  socket.on('close', () => (connection.alive = false))
  return connection
}

/**
 * Writes the request and reads one answer (status line, headers, a body framed by
 * Content-Length, chunked, or the end of the connection). Marks the connection dead when the
 * answer or the request leaves it unusable.
 */
export async function exchange(connection: RawConnection, request: WireRequest, timeoutMs: number): Promise<Answer> {
  const { socket } = connection
  return await new Promise<Answer>((resolve) => {
    let buffered = connection.pending
    let done = false
    const finish = (answer: Answer, keep: boolean): void => {
      if (done) return
      done = true
      clearTimeout(timer)
      socket.off('data', onData)
      socket.off('close', onClose)
      connection.pending = Buffer.alloc(0)
      if (!keep || !request.reusable) {
        connection.alive = false
        socket.destroy()
      }
      resolve(answer)
    }
    const timer = setTimeout(
      () => finish({ status: request.waitMs === undefined ? 'timeout' : 'abandoned_by_client' }, false),
      request.waitMs ?? timeoutMs,
    )
    const onData = (chunk: Buffer): void => {
      buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk])
      const parsed = parseAnswer(buffered, request.method, false)
      if (parsed) finish(parsed.answer, parsed.keepAlive && parsed.rest === 0)
    }
    const onClose = (): void => {
      const parsed = parseAnswer(buffered, request.method, true)
      if (parsed) finish(parsed.answer, false)
      else if (request.abandon) finish({ status: 'abandoned_by_client' }, false)
      else finish({ status: 'closed_without_answer' }, false)
    }
    socket.on('data', onData)
    socket.on('close', onClose)
    void writeParts(socket, request, () => done).then(
      () => {
        if (request.abandon && !done) socket.end()
      },
      (error: unknown) => {
        if (!done && buffered.length === 0) finish({ status: 'connection_error', detail: String(error) }, false)
      },
    )
  })
}

async function writeParts(socket: Socket, request: WireRequest, isDone: () => boolean): Promise<void> {
  for (const [index, part] of request.parts.entries()) {
    if (isDone() || socket.destroyed) return
    if (index > 0 && request.pauseMs > 0) await new Promise((r) => setTimeout(r, request.pauseMs))
    if (isDone() || socket.destroyed) return
    if (!socket.write(part)) await new Promise<void>((resolve) => socket.once('drain', resolve).once('close', resolve))
  }
}

const headEnd = Buffer.from('\r\n\r\n')

/** One answer from the bytes so far, or undefined while it is incomplete. */
export function parseAnswer(
  bytes: Buffer,
  method: string,
  ended: boolean,
): { answer: Answer; keepAlive: boolean; rest: number } | undefined {
  const end = bytes.indexOf(headEnd)
  if (end < 0) return undefined
  const head = bytes.subarray(0, end).toString('latin1').split('\r\n')
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head[0] ?? '')?.[1])
  if (!Number.isInteger(status))
    return { answer: { status: 'closed_without_answer', detail: 'not an HTTP answer' }, keepAlive: false, rest: 0 }
  // An interim answer (100 Continue) is followed by the real one.
  if (status >= 100 && status < 200) return parseAnswer(bytes.subarray(end + headEnd.length), method, ended)
  const headers = new Map<string, string>()
  for (const line of head.slice(1)) {
    const colon = line.indexOf(':')
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim())
  }
  const keepAlive = headers.get('connection')?.toLowerCase() !== 'close'
  const bodyStart = end + headEnd.length
  let body: Buffer
  let consumed: number
  const length = headers.get('content-length')
  if (method === 'HEAD' || status === 204 || status === 304) {
    body = Buffer.alloc(0)
    consumed = bodyStart
  } else if (length !== undefined) {
    consumed = bodyStart + Number(length)
    if (bytes.length < consumed) return undefined
    body = bytes.subarray(bodyStart, consumed)
  } else if (headers.get('transfer-encoding')?.toLowerCase() === 'chunked') {
    const decoded = decodeChunked(bytes.subarray(bodyStart))
    if (!decoded) return undefined
    body = decoded.body
    consumed = bodyStart + decoded.length
  } else {
    if (!ended && !keepAlive) return undefined
    body = bytes.subarray(bodyStart)
    consumed = bytes.length
  }
  const text = body.toString('utf8')
  return {
    answer: { status, code: /"code"\s*:\s*"([A-Z_]+)"/.exec(text)?.[1], body: text.slice(0, 300) },
    keepAlive,
    rest: bytes.length - consumed,
  }
}

function decodeChunked(bytes: Buffer): { body: Buffer; length: number } | undefined {
  const parts: Buffer[] = []
  let at = 0
  for (;;) {
    const lineEnd = bytes.indexOf('\r\n', at)
    if (lineEnd < 0) return undefined
    const size = parseInt(bytes.subarray(at, lineEnd).toString('latin1'), 16)
    if (!Number.isFinite(size)) return { body: Buffer.concat(parts), length: bytes.length }
    const start = lineEnd + 2
    if (size === 0) return bytes.length >= start + 2 ? { body: Buffer.concat(parts), length: start + 2 } : undefined
    if (bytes.length < start + size + 2) return undefined
    parts.push(bytes.subarray(start, start + size))
    at = start + size + 2
  }
}
