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
