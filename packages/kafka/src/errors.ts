/**
 * Every error the runtime acts on says whether trying again can help. Handlers throw
 * these; the runtime (not the handler) decides between a retry topic and the DLQ.
 */
export class RetryableError extends Error {
  readonly code: string
  readonly retryable = true

  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = 'RetryableError'
    this.code = code
  }
}

/** Data that will fail the same way every time: straight to the dead-letter topic. */
export class FatalError extends Error {
  readonly code: string
  readonly retryable = false

  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = 'FatalError'
    this.code = code
  }
}

/**
 * A dependency that every message needs is down (Postgres, SMTP): the runtime pauses the
 * group's partitions and probes until it is back, instead of retrying message by message
 * into the dead-letter topic.
 */
export class DependencyDownError extends Error {
  readonly code: string
  readonly retryable = true

  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = 'DependencyDownError'
    this.code = code
  }
}

export type Disposition = { kind: 'retry' | 'fatal' | 'pause'; code: string; message: string }

// Node's errors for a server that is not there (or went away mid-request).
const connectionCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EPIPE'])
// PostgreSQL: connection exceptions (08...) and shutdown in progress (57P01..57P03).
const postgresDown = /^(08|57P0)/
// PostgreSQL query_canceled: statement_timeout (or an operator) cancelled the statement. The
// database answers, so this is the message's failure, retried like a handler timeout.
const postgresCanceled = '57014'

/**
 * What to do about an error: an error that says so itself (`dependencyDown`, `retryable`: the
 * classes above, and errors of packages that cannot import this one, such as contracts'
 * ContractError) is taken at its word; a bug (TypeError, RangeError, ReferenceError,
 * SyntaxError) is fatal; a lost connection pauses; a statement Postgres cancelled (57014) is
 * retried as STATEMENT_TIMEOUT; anything else is retried.
 */
export function dispositionOf(err: unknown): Disposition {
  const message = messageOf(err)
  if (!(err instanceof Error)) return { kind: 'retry', code: 'UNKNOWN_ERROR', message }
  const { code: rawCode, retryable, dependencyDown } = err as { code?: unknown; retryable?: unknown; dependencyDown?: unknown }
  const code = typeof rawCode === 'string' ? rawCode : undefined
  if (err instanceof DependencyDownError || dependencyDown === true) return { kind: 'pause', code: code ?? 'DEPENDENCY_DOWN', message }
  if (retryable === false) return { kind: 'fatal', code: code ?? 'FATAL_ERROR', message }
  if (retryable === true) return { kind: 'retry', code: code ?? 'RETRYABLE_ERROR', message }
  if (code !== undefined && (connectionCodes.has(code) || postgresDown.test(code))) return { kind: 'pause', code, message }
  if (code === postgresCanceled) return { kind: 'retry', code: 'STATEMENT_TIMEOUT', message }
  if (err instanceof TypeError || err instanceof RangeError || err instanceof ReferenceError || err instanceof SyntaxError) {
    return { kind: 'fatal', code: `BUG_${err.name.toUpperCase()}`, message }
  }
  return { kind: 'retry', code: code ?? 'UNKNOWN_ERROR', message }
}

/** Longest error message the runtime keeps (log line, `x-error-message` header). */
export const maxErrorMessageLength = 1000

/**
 * The message of anything thrown, at most `maxErrorMessageLength` characters, and never a
 * throw itself: it runs in the runtime's catch blocks, where a second error would escape
 * and stall the partition (`throw null`, an object that cannot become a string).
 */
export function messageOf(err: unknown): string {
  let text: string
  try {
    text = err instanceof Error ? String(err.message) : String(err)
  } catch {
    text = 'an error that cannot be shown as text'
  }
  return text.length > maxErrorMessageLength ? `${text.slice(0, maxErrorMessageLength - 3)}...` : text
}
