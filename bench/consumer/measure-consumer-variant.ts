import { join } from 'node:path'
import type { Kafka } from 'kafkajs'
import { countCommittedRecords } from './count-topic-records.ts'
import type { ConsumerFigures } from './format-consumer-results.ts'
import { measureRuntimeVariant } from './measure-runtime-variant.ts'
import type { VariantName } from './parse-consumer-bench-args.ts'
import { runKafkaPerf } from './run-kafka-perf.ts'
import { runNodeVariant } from './run-node-variant.ts'

export type MeasureContext = {
  repoRoot: string
  buildDir: string
  /** Kafka's jars, for kafka-perf. */
  libsDir: string
  kafka: Kafka
  brokers: string[]
  /** Administrative Postgres URL, for the runtime variants' fresh databases. */
  databaseUrl: string
  topic: string
  records: number
  /** Low watermarks of the topic's partitions, for kafka-perf's progress. */
  low: Map<number, number>
  timeoutMs: number
  say: (line: string) => void
}

/** Drains the topic with one variant, in a group of its own; its output goes to `<buildDir>/consumer-<variant>.log`. */
export async function measureConsumerVariant(name: VariantName, ctx: MeasureContext): Promise<ConsumerFigures> {
  // A fresh group starts from the beginning of every partition.
  const group = `bench-consumer-${name}-${Date.now().toString(36)}`
  const logFile = join(ctx.buildDir, `consumer-${name}.log`)
  const { timeoutMs, say } = ctx
  const args = ['--brokers', ctx.brokers.join(','), '--topic', ctx.topic, '--group', group, '--records', String(ctx.records)]
  const file = join(ctx.repoRoot, 'bench', 'consumer', `${name}.ts`)
  switch (name) {
    case 'kafka-perf': {
      const admin = ctx.kafka.admin()
      await admin.connect()
      try {
        const { brokers, topic, records, libsDir } = ctx
        const committed = async (): Promise<number> => await countCommittedRecords(admin, group, topic, ctx.low)
        return await runKafkaPerf({ libsDir, brokers, topic, records, group, timeoutMs, logFile, committed, say })
      } finally {
        await admin.disconnect()
      }
    }
    case 'kafkajs-bare':
      return await runNodeVariant({ name, file, args, logFile, timeoutMs, say })
    case 'runtime-noop':
    case 'runtime-postgres':
      return await measureRuntimeVariant({
        name,
        file,
        args,
        logFile,
        timeoutMs,
        say,
        kafka: ctx.kafka,
        group,
        databaseUrl: ctx.databaseUrl,
        records: ctx.records,
      })
  }
}
