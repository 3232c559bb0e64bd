import { describe, expect, it } from 'vitest'
import { checkMessageLimits } from './check-message-limits.ts'

describe('checkMessageLimits', () => {
  const kafkaDefault = new Map([['nudj.webhooks.reward', 1_048_588]])

  it('accepts the defaults against Kafka default max.message.bytes', () => {
    expect(checkMessageLimits(kafkaDefault, { bodyLimitBytes: 524_288, maxBatchBytes: 524_288 })).toEqual([])
  })

  it('refuses a body limit within the envelope headroom of max.message.bytes, naming the topic and the fix', () => {
    const problems = checkMessageLimits(kafkaDefault, { bodyLimitBytes: 1_048_576, maxBatchBytes: 524_288 })
    expect(problems).toEqual([
      "INGEST_BODY_LIMIT_BYTES (1048576) leaves less than 65536 bytes for the envelope below max.message.bytes (1048588) of nudj.webhooks.reward: lower it to 983052 or less, or raise the topics' max.message.bytes",
    ])
  })

  it('judges by the smallest limit and names its topics once', () => {
    const limits = new Map([
      ['a', 2_000_000],
      ['b', 500_000],
      ['c', 500_000],
    ])
    expect(checkMessageLimits(limits, { bodyLimitBytes: 524_288, maxBatchBytes: 1024 })).toEqual([
      "INGEST_BODY_LIMIT_BYTES (524288) leaves less than 65536 bytes for the envelope below max.message.bytes (500000) of b, c: lower it to 434464 or less, or raise the topics' max.message.bytes",
    ])
  })

  it('refuses a batch larger than one partition can take', () => {
    expect(checkMessageLimits(kafkaDefault, { bodyLimitBytes: 1024, maxBatchBytes: 2_000_000 })[0]).toMatch(
      /^KAFKA_MAX_BATCH_BYTES \(2000000\) must be at most 983052/,
    )
  })
})
