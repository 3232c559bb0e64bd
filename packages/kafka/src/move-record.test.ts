import { KafkaJSNonRetriableError, KafkaJSProtocolError } from 'kafkajs'
import { describe, expect, it } from 'vitest'
import { tooLargeReason } from './move-record.ts'

describe('tooLargeReason', () => {
  it('finds the broker refusing a record for its size, as kafkajs reports it (wrapped or not)', () => {
    const tooLarge = new KafkaJSProtocolError({ type: 'MESSAGE_TOO_LARGE', code: 10, retriable: false, message: 'too large' } as never)
    expect(tooLargeReason(tooLarge)).toBe('MESSAGE_TOO_LARGE')
    // What producer.send rejects with: the protocol error as the cause of a non-retriable one.
    expect(tooLargeReason(Object.assign(new KafkaJSNonRetriableError(tooLarge), { cause: tooLarge }))).toBe('MESSAGE_TOO_LARGE')
    expect(tooLargeReason(Object.assign(new Error('list'), { type: 'RECORD_LIST_TOO_LARGE' }))).toBe('RECORD_LIST_TOO_LARGE')
    expect(tooLargeReason(Object.assign(new Error('gone'), { type: 'UNKNOWN_TOPIC_OR_PARTITION' }))).toBeUndefined()
    expect(tooLargeReason(null)).toBeUndefined()
  })
})
