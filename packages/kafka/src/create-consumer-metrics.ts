import { Counter, Gauge, Histogram, type Registry } from 'prom-client'

export type ConsumerOutcome = 'processed' | 'duplicate' | 'skipped' | 'retried' | 'dead-lettered'

const byRegistry = new WeakMap<Registry, ReturnType<typeof build>>()

/**
 * The runtime's metrics; every series carries the group, none carries an id. Several
 * consumers in one process (several groups, or tests) share one set per registry.
 */
export function createConsumerMetrics(registry: Registry): ReturnType<typeof build> {
  const existing = byRegistry.get(registry)
  if (existing) return existing
  const metrics = build(registry)
  byRegistry.set(registry, metrics)
  return metrics
}

function build(registry: Registry) {
  const registers = [registry]
  return {
    messages: new Counter({
      name: 'webhooks_consumer_messages_total',
      help: 'Messages by outcome',
      labelNames: ['group', 'topic', 'outcome'],
      registers,
    }),
    handlerDuration: new Histogram({
      name: 'webhooks_consumer_handler_duration_seconds',
      help: 'Time spent in the handler, per message (or per batch for batch handlers)',
      labelNames: ['group'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
    retries: new Counter({
      name: 'webhooks_consumer_retries_total',
      help: 'Messages sent to a retry tier',
      labelNames: ['group', 'tier'],
      registers,
    }),
    deadLettered: new Counter({
      name: 'webhooks_consumer_dlq_total',
      help: 'Messages sent to the dead-letter topic, by error code',
      labelNames: ['group', 'error_code'],
      registers,
    }),
    lagMessages: new Gauge({
      name: 'webhooks_consumer_lag_messages',
      help: 'Messages behind the end of the partition',
      labelNames: ['group', 'topic', 'partition'],
      registers,
    }),
    lagSeconds: new Gauge({
      name: 'webhooks_consumer_lag_seconds',
      help: 'Age of the last message handled',
      labelNames: ['group', 'topic', 'partition'],
      registers,
    }),
    rebalances: new Counter({
      name: 'webhooks_consumer_rebalances_total',
      help: 'Times the group was (re)joined',
      labelNames: ['group'],
      registers,
    }),
    pausedPartitions: new Gauge({
      name: 'webhooks_consumer_paused_partitions',
      help: 'Partitions paused for a dependency outage or a retry wait (1 while paused, per partition and reason)',
      labelNames: ['group', 'topic', 'partition', 'reason'],
      registers,
    }),
    lastCommit: new Gauge({
      name: 'webhooks_consumer_last_commit_timestamp_seconds',
      help: 'When offsets were last committed',
      labelNames: ['group'],
      registers,
    }),
  }
}

export type ConsumerMetrics = ReturnType<typeof build>
