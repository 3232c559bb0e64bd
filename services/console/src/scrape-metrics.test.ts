import { describe, expect, it } from 'vitest'
import { parsePrometheusText } from './scrape-metrics.ts'

describe('parsePrometheusText', () => {
  it('keeps the named metrics with their labels and values, and skips comments and other metrics', () => {
    const text = [
      '# HELP webhooks_consumer_lag_seconds Age of the last message handled',
      '# TYPE webhooks_consumer_lag_seconds gauge',
      'webhooks_consumer_lag_seconds{group="email",topic="nudj.webhooks.reward",partition="2"} 1.5',
      'webhooks_consumer_paused_partitions{group="email",reason="dependency \\"smtp\\""} 3',
      'process_cpu_seconds_total 12',
      'webhooks_consumer_lag_messages{group="email",topic="nudj.webhooks.reward",partition="0"} NaN',
    ].join('\n')
    const names = new Set(['webhooks_consumer_lag_seconds', 'webhooks_consumer_paused_partitions', 'webhooks_consumer_lag_messages'])
    expect(parsePrometheusText(text, names)).toEqual([
      { name: 'webhooks_consumer_lag_seconds', labels: { group: 'email', topic: 'nudj.webhooks.reward', partition: '2' }, value: 1.5 },
      { name: 'webhooks_consumer_paused_partitions', labels: { group: 'email', reason: 'dependency "smtp"' }, value: 3 },
    ])
  })
})
