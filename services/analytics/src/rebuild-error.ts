/** Why a rebuild refused or stopped; `code` is stable. */
export class RebuildError extends Error {
  readonly code: 'GROUP_ACTIVE' | 'GROUP_RESET_FAILED'
  readonly retryable = false

  constructor(code: RebuildError['code'], message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'RebuildError'
    this.code = code
  }
}
