import { setTimeout as sleepFor } from 'node:timers/promises'
import { retryDelayMs } from './retry-policy.ts'
import type { RetryPolicy } from './retry-policy.ts'
import { describeFetchError } from '@nudj-webhooks/nudj-admin'

export type DeliveryRequest = {
  url: string
  method: 'POST' | 'PUT'
  headers: Record<string, string>
  body: Buffer
}

export type AttemptRecord = {
  /** 1 for the first try, 2 for the first retry, … */
  attempt: number
  startedAt: string
  durationMs: number
  status?: number
  responseHeaders?: Record<string, string>
  /** The first 500 characters of the response body. */
  responseBody?: string
  /** Why no response was received (timeout, connection error, abort). */
  error?: string
  retryable: boolean
}

export type DeliveryResult = {
  outcome: 'acknowledged' | 'rejected' | 'gave-up' | 'aborted'
  attempts: AttemptRecord[]
  /** The status of the last response received, if any. */
  status?: number
}

export type DeliverOptions = {
  policy: RetryPolicy
  /** How long one attempt may take, response body included. */
  timeoutMs: number
  signal?: AbortSignal
  /** Waits between attempts; must reject or return early when `signal` aborts. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>
  /** Told about each attempt as it ends, with the wait before the next one (undefined: none follows). */
  onAttempt?: (attempt: AttemptRecord, nextDelayMs: number | undefined) => void
}

const responseBodyLimit = 500

async function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  await sleepFor(ms, undefined, { signal })
}

/**
 * Sends one webhook the way Nudj's sender does: 2xx acknowledges; 5xx, timeouts and connection
 * errors are retried per the policy with the very same headers and body; 4xx and 3xx are
 * permanent (redirects are never followed, NUDJ-WEBHOOKS.md §1.2).
 */
export async function deliver(request: DeliveryRequest, options: DeliverOptions): Promise<DeliveryResult> {
  const attempts: AttemptRecord[] = []
  const sleep = options.sleep ?? defaultSleep
  const finish = (outcome: DeliveryResult['outcome']): DeliveryResult => {
    const status = attempts.findLast((a) => a.status !== undefined)?.status
    return status === undefined ? { outcome, attempts } : { outcome, attempts, status }
  }

  for (let number = 1; ; number += 1) {
    if (options.signal?.aborted) return finish('aborted')
    const record = await attempt(request, number, options)
    attempts.push(record)
    const aborted = options.signal?.aborted === true
    const nextDelayMs = record.retryable && !aborted ? retryDelayMs(options.policy, number) : undefined
    options.onAttempt?.(record, nextDelayMs)
    if (isSuccess(record.status)) return finish('acknowledged')
    if (aborted) return finish('aborted')
    if (!record.retryable) return finish('rejected')
    if (nextDelayMs === undefined) return finish('gave-up')
    try {
      await sleep(nextDelayMs, options.signal)
    } catch (error) {
      if (options.signal?.aborted) return finish('aborted')
      throw error
    }
  }
}

async function attempt(request: DeliveryRequest, number: number, options: DeliverOptions): Promise<AttemptRecord> {
  const startedAt = new Date().toISOString()
  const began = performance.now()
  const timeout = AbortSignal.timeout(options.timeoutMs)
  const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout
  const durationMs = (): number => Math.round(performance.now() - began)
  let status: number | undefined
  let responseHeaders: Record<string, string> | undefined
  try {
    const response = await fetch(request.url, {
      method: request.method,
      headers: request.headers,
      body: request.body,
      redirect: 'manual',
      signal,
    })
    status = response.status
    responseHeaders = Object.fromEntries(response.headers)
    const text = await response.text()
    return {
      attempt: number,
      startedAt,
      durationMs: durationMs(),
      status,
      responseHeaders,
      responseBody: text.slice(0, responseBodyLimit),
      retryable: status >= 500,
    }
  } catch (error) {
    const aborted = options.signal?.aborted === true
    const reason = aborted
      ? 'aborted by the caller'
      : timeout.aborted
        ? `timed out after ${options.timeoutMs} ms`
        : describeFetchError(error)
    const base = { attempt: number, startedAt, durationMs: durationMs(), error: reason }
    if (status === undefined) return { ...base, retryable: !aborted }
    // The status line arrived but the body did not: the status decides, as it would for Nudj.
    return { ...base, status, ...(responseHeaders && { responseHeaders }), retryable: !aborted && status >= 500 }
  }
}

function isSuccess(status: number | undefined): boolean {
  return status !== undefined && status >= 200 && status < 300
}
