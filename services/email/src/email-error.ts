/** What trying again can do for an email failure: the consumer runtime reads it from the error's properties. */
export type EmailFailure = 'retry' | 'fatal' | 'down'

/**
 * An email failure with a stable `code`. The runtime takes it at its word: `retryable` false
 * goes to the DLQ, `dependencyDown` (SMTP unreachable, refused credentials) pauses the group,
 * anything else moves to the next retry topic.
 */
export class EmailError extends Error {
  readonly code: string
  readonly retryable: boolean
  readonly dependencyDown: boolean

  constructor(failure: EmailFailure, code: string, message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = 'EmailError'
    this.code = code
    this.retryable = failure !== 'fatal'
    this.dependencyDown = failure === 'down'
  }
}
