import { describe, expect, it } from 'vitest'
import { DependencyDownError, dispositionOf, FatalError, maxErrorMessageLength, messageOf, RetryableError } from './errors.ts'

describe('dispositionOf', () => {
  it('follows what the project’s errors say, treats bugs as fatal and lost connections as an outage', () => {
    expect(dispositionOf(new RetryableError('SMTP_4XX', 'try later'))).toEqual({ kind: 'retry', code: 'SMTP_4XX', message: 'try later' })
    expect(dispositionOf(new FatalError('VALIDATION_FAILED', 'bad'))).toMatchObject({ kind: 'fatal', code: 'VALIDATION_FAILED' })
    expect(dispositionOf(new DependencyDownError('SMTP_DOWN', 'no server'))).toMatchObject({ kind: 'pause', code: 'SMTP_DOWN' })
    expect(dispositionOf(new TypeError('x is undefined'))).toMatchObject({ kind: 'fatal', code: 'BUG_TYPEERROR' })
    expect(dispositionOf(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toMatchObject({
      kind: 'pause',
      code: 'ECONNREFUSED',
    })
    expect(dispositionOf(Object.assign(new Error('terminating connection'), { code: '57P01' }))).toMatchObject({ kind: 'pause' })
    const marked = Object.assign(new Error('registry unavailable'), { code: 'SCHEMA_REGISTRY_UNAVAILABLE', dependencyDown: true })
    expect(dispositionOf(marked)).toMatchObject({ kind: 'pause', code: 'SCHEMA_REGISTRY_UNAVAILABLE' })
    expect(dispositionOf(new Error('something odd'))).toMatchObject({ kind: 'retry', code: 'UNKNOWN_ERROR' })
    // statement_timeout: the database answers, the statement was too slow: retried, never fatal or a pause.
    const canceled = Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' })
    expect(dispositionOf(canceled)).toEqual({
      kind: 'retry',
      code: 'STATEMENT_TIMEOUT',
      message: 'canceling statement due to statement timeout',
    })
    expect(dispositionOf('a string')).toMatchObject({ kind: 'retry' })
  })
})

describe('dispositionOf for errors of other packages', () => {
  it('takes their retryable property at its word: a ContractError-like error thrown in a handler is fatal, not retried', () => {
    // packages/contracts cannot import this package; its ContractError carries retryable = false.
    class ContractLike extends Error {
      readonly code = 'BODY_NOT_OBJECT'
      readonly retryable = false
    }
    expect(dispositionOf(new ContractLike('not an object'))).toEqual({ kind: 'fatal', code: 'BODY_NOT_OBJECT', message: 'not an object' })
    const retryable = Object.assign(new Error('503 from the admin API'), { code: 'ADMIN_API_FAILED', retryable: true })
    expect(dispositionOf(retryable)).toMatchObject({ kind: 'retry', code: 'ADMIN_API_FAILED' })
    expect(dispositionOf(Object.assign(new Error('no'), { retryable: false }))).toMatchObject({ kind: 'fatal', code: 'FATAL_ERROR' })
  })
})

describe('messageOf', () => {
  it('answers a bounded message for anything thrown and never throws itself', () => {
    expect(messageOf(new RangeError('Maximum call stack size exceeded'))).toBe('Maximum call stack size exceeded')
    expect(messageOf(null)).toBe('null')
    expect(messageOf(undefined)).toBe('undefined')
    expect(messageOf(Object.create(null))).toBe('an error that cannot be shown as text')
    const long = messageOf(new Error('x'.repeat(1_000_000)))
    expect(long).toHaveLength(maxErrorMessageLength)
    expect(long.endsWith('...')).toBe(true)
    expect(dispositionOf(null)).toEqual({ kind: 'retry', code: 'UNKNOWN_ERROR', message: 'null' })
    expect(dispositionOf(new FatalError('BIG', 'y'.repeat(5000))).message).toHaveLength(maxErrorMessageLength)
  })
})
