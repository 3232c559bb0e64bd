/** Bad usage (an unknown option, a missing or malformed value): printed with a pointer to --help, exit 2. */
export class UsageError extends Error {
  readonly code = 'USAGE'
  readonly retryable = false

  constructor(message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = 'UsageError'
  }
}

/**
 * A failure the operator can act on (a topic is missing, the group is running, records
 * are failing again): printed as one line without a stack trace, exit 1.
 */
export class OpsError extends Error {
  readonly code: string
  readonly retryable = false

  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = 'OpsError'
    this.code = code
  }
}
