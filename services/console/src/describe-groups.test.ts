import { describe, expect, it } from 'vitest'
import { pausedOf } from './describe-groups.ts'
import type { Sample } from './scrape-metrics.ts'

const paused = (labels: Record<string, string>, value: number): Sample => ({ name: 'webhooks_consumer_paused_partitions', labels, value })

describe('pausedOf', () => {
  it("names the group's paused partitions of the given topics and why, leaving out resumed ones and other groups'", () => {
    const samples = [
      paused({ group: 'email', topic: 'nudj.webhooks.reward', partition: '2', reason: 'outage' }, 1),
      paused({ group: 'email', topic: 'nudj.webhooks.reward', partition: '3', reason: 'outage' }, 0),
      paused({ group: 'email', topic: 'email.retry.30s', partition: '0', reason: 'retry-wait' }, 1),
      paused({ group: 'analytics', topic: 'nudj.webhooks.reward', partition: '1', reason: 'outage' }, 1),
    ]
    expect(pausedOf(samples, 'email', ['nudj.webhooks.reward', 'nudj.webhooks.user'])).toEqual([
      { topic: 'nudj.webhooks.reward', partition: 2, reason: 'outage' },
    ])
    expect(pausedOf(samples, 'email', ['email.retry.30s'])).toEqual([{ topic: 'email.retry.30s', partition: 0, reason: 'retry-wait' }])
  })
})
