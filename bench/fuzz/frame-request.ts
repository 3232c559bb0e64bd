import type { WireRequest } from './raw-exchange.ts'

export type Header = [name: string, value: string | Buffer]

export type FrameOptions = {
  /** Content-Length to declare; the body's length by default, none with `null`. */
  contentLength?: number | null
  /** Split the body into this many parts with `pauseMs` between them. */
  parts?: number
  pauseMs?: number
  /** Send only this many bytes of the body, then close the connection. */
  cutAt?: number
  reusable?: boolean
  version?: string
}

/** An HTTP/1.1 request as bytes, framed exactly as told (or deliberately not). */
export function frameRequest(
  kind: string,
  method: string,
  path: string,
  headers: Header[],
  body: Buffer,
  options: FrameOptions = {},
): WireRequest {
  const lines: Buffer[] = [Buffer.from(`${method} ${path} ${options.version ?? 'HTTP/1.1'}\r\nHost: 127.0.0.1\r\n`, 'latin1')]
  const length = options.contentLength === undefined ? body.length : options.contentLength
  if (length !== null) lines.push(Buffer.from(`Content-Length: ${length}\r\n`))
  for (const [name, value] of headers)
    lines.push(Buffer.from(`${name}: `, 'latin1'), Buffer.isBuffer(value) ? value : Buffer.from(value, 'latin1'), Buffer.from('\r\n'))
  lines.push(Buffer.from('\r\n'))
  const head = Buffer.concat(lines)
  const sent = options.cutAt === undefined ? body : body.subarray(0, options.cutAt)
  const count = Math.max(1, options.parts ?? 1)
  const parts: Buffer[] = [head]
  const step = Math.ceil(sent.length / count)
  for (let at = 0; at < sent.length; at += step) parts.push(sent.subarray(at, at + step))
  const wellFramed = options.cutAt === undefined && length === body.length && options.version === undefined
  return {
    kind,
    method,
    parts: count === 1 && parts.length <= 2 ? [Buffer.concat(parts)] : parts,
    pauseMs: options.pauseMs ?? 0,
    abandon: options.cutAt !== undefined,
    reusable: options.reusable ?? wellFramed,
  }
}

/** Bytes that are not a well-formed request at all; the connection is closed after them. */
export function rawRequest(kind: string, bytes: Buffer, abandon: boolean): WireRequest {
  return { kind, method: 'RAW', parts: [bytes], pauseMs: 0, abandon, reusable: false, waitMs: 3000 }
}
