import { describe, expect, it } from 'vitest'
import { dlqTopicName, formatDelay, retryGroupId, retryTopicName } from './group-topics.ts'

describe('group topics', () => {
  it('names retry topics after their delay, and the DLQ after the group', () => {
    expect([10_000, 60_000, 600_000, 3_600_000, 1500].map(formatDelay)).toEqual(['10s', '1m', '10m', '1h', '1500ms'])
    expect(retryTopicName('email', 30_000)).toBe('email.retry.30s')
    expect(dlqTopicName('email')).toBe('email.dlq')
    expect(retryGroupId('email')).toBe('email.retry')
  })
})
