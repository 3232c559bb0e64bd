/** When a failed delivery is tried again: the schedule is data, `retryDelayMs` reads it. */
export type RetryPolicy =
  | { kind: 'fixed'; delayMs: number; maxRetries: number }
  | { kind: 'exponential'; initialDelayMs: number; factor: number; maxDelayMs: number; maxRetries: number }

/** Gen-1: a fixed 5 s delay, 3 retries by default, "no exponential backoff today" (NUDJ-WEBHOOKS.md §1.2). */
export const gen1RetryPolicy: RetryPolicy = { kind: 'fixed', delayMs: 5000, maxRetries: 3 }

/**
 * Gen-2: exponential backoff on a QStash-backed queue (NUDJ-WEBHOOKS.md §1.1). Nudj documents
 * no numbers; 1 s doubling up to 60 s with 5 retries is an assumption in QStash's spirit.
 */
export const gen2RetryPolicy: RetryPolicy = { kind: 'exponential', initialDelayMs: 1000, factor: 2, maxDelayMs: 60_000, maxRetries: 5 }

/**
 * The wait before retry number `retryNumber` (1 = the retry after the first attempt), or
 * `undefined` when the policy allows no more retries.
 */
export function retryDelayMs(policy: RetryPolicy, retryNumber: number): number | undefined {
  if (!Number.isInteger(retryNumber) || retryNumber < 1) throw new RangeError(`retryNumber must be a positive integer, got ${retryNumber}`)
  if (retryNumber > policy.maxRetries) return undefined
  switch (policy.kind) {
    case 'fixed':
      return policy.delayMs
    case 'exponential':
      return Math.min(policy.initialDelayMs * policy.factor ** (retryNumber - 1), policy.maxDelayMs)
  }
}
