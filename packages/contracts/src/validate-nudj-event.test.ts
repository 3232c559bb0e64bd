import { describe, expect, it } from 'vitest'
import { normalizeNudjWebhook } from './normalize-nudj-webhook.ts'
import { validateNudjEvent } from './validate-nudj-event.ts'

const validate = (body: unknown): ReturnType<typeof validateNudjEvent> => validateNudjEvent(normalizeNudjWebhook(JSON.stringify(body), {}))

describe('validateNudjEvent', () => {
  it('lists every problem, not just the first', () => {
    const problems = validate({
      event: 'reward.earned',
      timestamp: 'last tuesday',
      data: { user: { email: 'not-an-email' }, reward: { id: '', value: { amount: 1 } } },
    })
    expect(problems).toEqual([
      { path: 'timestamp', message: 'must be an ISO 8601 date-time, got "last tuesday"' },
      { path: 'data.user.id', message: 'is required (a non-empty string or a number)' },
      { path: 'data.user.email', message: 'must be an email address, got "not-an-email"' },
      { path: 'data.reward.id', message: 'must be a non-empty string or a number, got ""' },
      { path: 'data.reward.value', message: 'must be a non-empty string or a number, got {"amount":1}' },
    ])
  })

  it('checks gen-1 envelopes and payload types', () => {
    const problems = validate({
      id: 'e1',
      eventSubCategory: 'action-participation',
      userId: 'u1',
      createdAt: '2026-03-14T10:21:45.102Z',
      payload: { isCorrect: 'yes', pointsEarned: 2.5 },
    })
    expect(problems).toEqual([
      { path: 'eventSourceId', message: 'is required (a non-empty string or a number)' },
      { path: 'payload.isCorrect', message: 'must be true or false, got "yes"' },
      { path: 'payload.pointsEarned', message: 'must be an integer, got 2.5' },
    ])
  })

  it('requires a whole-number points amount, negative for a debit', () => {
    const base = { event: 'points.awarded', timestamp: '2026-04-17T14:30:00.000Z' }
    expect(validate({ ...base, data: { user: { id: 'u1' }, points: { amount: -50 } } })).toEqual([])
    expect(validate({ ...base, data: { user: { id: 'u1' }, points: { amount: '50' } } })).toEqual([
      { path: 'data.points.amount', message: 'must be an integer, got "50"' },
    ])
  })

  it('describes a hostile value in a few characters, however deep or wide (never a stack overflow)', () => {
    const depth = 200_000
    const deep = `{"event":"reward.earned","timestamp":"2026-04-17T14:30:00.000Z","data":{"user":{"id":${'['.repeat(depth)}${']'.repeat(depth)}},"reward":{"id":"r1"}}}`
    expect(validateNudjEvent(normalizeNudjWebhook(deep, {}))).toEqual([
      { path: 'data.user.id', message: 'must be a non-empty string or a number, got [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[...' },
    ])
    const wide = Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`k${i}`, 'x'.repeat(100)]))
    expect(
      validate({ event: 'points.awarded', timestamp: '2026-04-17T14:30:00.000Z', data: { user: { id: 'u1' }, points: { amount: wide } } }),
    ).toEqual([{ path: 'data.points.amount', message: 'must be an integer, got {"k0":"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...' }])
    expect(
      validate({
        event: 'points.awarded',
        timestamp: '2026-04-17T14:30:00.000Z',
        data: { user: { id: 'u1' }, points: { amount: [1, [2], { a: null }] } },
      }),
    ).toEqual([{ path: 'data.points.amount', message: 'must be an integer, got [1,[2],{"a":null}]' }])
  })

  it('has no rules for unknown events', () => {
    expect(validate({ event: 'subscription.updated' })).toEqual([])
  })
})
