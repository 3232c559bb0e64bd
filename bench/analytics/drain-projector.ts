import { setTimeout as sleep } from 'node:timers/promises'
import { dlqTopicName, ensureTopics, retryTopicName, runConsumer, type ConsumerDefinition, type ConsumerDeps } from '@nudj-webhooks/kafka'
import { createMetricsRegistry } from '@nudj-webhooks/observability'
import type { Kafka } from 'kafkajs'
import type pg from 'pg'
import { committedSoFar, partitionEnds } from '../../services/analytics/src/group-offsets.ts'

export type DrainResult = { records: number; seconds: number; events_per_s: number; first_commit_s: number }

/**
 * Runs a consumer definition until its group has committed `count` records of its topics,
 * then stops it. The rate counts from the first commit seen (the group join excluded) to
 * the last, from committed offsets, which move only once a batch's transaction committed.
 */
export async function drainProjector<T>(
  definition: ConsumerDefinition<T>,
  deps: { kafka: Kafka; pool: pg.Pool; logger: ConsumerDeps['logger']; count: number; timeoutMs: number },
): Promise<DrainResult> {
  const admin = deps.kafka.admin()
  await admin.connect()
  try {
    const ends = await partitionEnds(admin, definition.topics)
    const groupTopics = [...definition.retrySchedule.map((d) => retryTopicName(definition.group, d)), dlqTopicName(definition.group)]
    await ensureTopics(
      admin,
      groupTopics.map((topic) => ({ topic, partitions: 6, replicationFactor: 1 })),
    )
    const began = performance.now()
    const consumer = await runConsumer(definition, {
      kafka: deps.kafka,
      logger: deps.logger,
      registry: createMetricsRegistry('bench-analytics'),
      pool: deps.pool,
    })
    let first: { at: number; done: number } | undefined
    let done = 0
    try {
      for (;;) {
        done = await committedSoFar(admin, definition.group, definition.topics, ends)
        const now = performance.now()
        if (done > 0 && !first) first = { at: now, done }
        if (done >= deps.count) break
        if (now - began > deps.timeoutMs) throw new Error(`drain timed out after ${Math.round((now - began) / 1000)} s at ${done} records`)
        await sleep(100)
      }
    } finally {
      await consumer.close()
    }
    const end = performance.now()
    // A drain that ended at its first sight of a commit has no steady part: count from the start.
    const start = first && first.done < done ? first : { at: began, done: 0 }
    const steady = (done - start.done) / Math.max((end - start.at) / 1000, 0.001)
    return {
      records: done,
      seconds: Math.round((end - began) / 100) / 10,
      events_per_s: Math.round(steady),
      first_commit_s: Math.round((start.at - began) / 100) / 10,
    }
  } finally {
    await admin.disconnect()
  }
}
