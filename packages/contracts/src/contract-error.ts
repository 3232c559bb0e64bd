export const contractErrorCodes = ['BODY_NOT_UTF8', 'BODY_NOT_JSON', 'BODY_NOT_OBJECT'] as const
export type ContractErrorCode = (typeof contractErrorCodes)[number]

/** A body that can never be read as a Nudj webhook; it fails the same way every time. */
export class ContractError extends Error {
  readonly code: ContractErrorCode
  readonly retryable = false

  constructor(code: ContractErrorCode, message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = 'ContractError'
    this.code = code
  }
}
