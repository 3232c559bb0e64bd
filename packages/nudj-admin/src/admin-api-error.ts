export const adminApiErrorCodes = {
  unauthorized: 'ADMIN_API_UNAUTHORIZED',
  forbidden: 'ADMIN_API_FORBIDDEN',
  failed: 'ADMIN_API_FAILED',
  unreachable: 'ADMIN_API_UNREACHABLE',
  badResponse: 'ADMIN_API_BAD_RESPONSE',
} as const

export type AdminApiErrorCode = (typeof adminApiErrorCodes)[keyof typeof adminApiErrorCodes]

/** A call to the Admin API that did not succeed. Messages never contain the token. */
export class AdminApiError extends Error {
  override readonly name = 'AdminApiError'
  readonly code: AdminApiErrorCode
  /** The HTTP status, when the API answered. */
  readonly status: number | undefined
  /** Whether the same call may succeed later (5xx, no answer). */
  readonly retryable: boolean

  constructor(code: AdminApiErrorCode, message: string, options: { status?: number; retryable: boolean; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    this.status = options.status
    this.retryable = options.retryable
  }
}

export function adminApiErrorCodeFor(status: number): AdminApiErrorCode {
  if (status === 401) return adminApiErrorCodes.unauthorized
  if (status === 403) return adminApiErrorCodes.forbidden
  return adminApiErrorCodes.failed
}
