import { parseArgs } from 'node:util'

/** What a Node variant (kafkajs-bare, runtime-noop, runtime-postgres) needs: where to read and how much. */
export type ConsumerVariantConfig = {
  brokers: string[]
  topic: string
  group: string
  /** Stop once this many records are consumed (kafkajs-bare) or in the ledger (runtime-*). */
  records: number
  /** runtime-* only: the fresh database that holds the ledger (and the projection). */
  databaseUrl: string | undefined
}

/**
 * Arguments win over the environment (`KAFKA_BROKERS`, `BENCH_TOPIC`, `BENCH_GROUP`,
 * `BENCH_RECORDS`, `DATABASE_URL`), so the runner says everything on the command line and a
 * person can still start a variant by hand.
 */
export function loadConsumerVariantConfig(argv: string[], env: Record<string, string | undefined>): ConsumerVariantConfig {
  const { values } = parseArgs({
    args: argv,
    options: {
      brokers: { type: 'string' },
      topic: { type: 'string' },
      group: { type: 'string' },
      records: { type: 'string' },
      'database-url': { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  })
  const problems: string[] = []
  const topic = values.topic ?? env.BENCH_TOPIC
  if (!topic) problems.push('--topic (or BENCH_TOPIC) is required')
  const records = Number(values.records ?? env.BENCH_RECORDS ?? '1000000')
  if (!Number.isInteger(records) || records < 1)
    problems.push(`--records must be a positive whole number, got '${values.records ?? env.BENCH_RECORDS}'`)
  if (problems.length > 0) throw new Error(problems.join('\n'))
  return {
    brokers: (values.brokers ?? env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',').filter((b) => b !== ''),
    topic: topic as string,
    // A fresh group reads the topic from its beginning.
    group: values.group ?? env.BENCH_GROUP ?? `bench-consumer-${process.pid}-${Date.now().toString(36)}`,
    records,
    databaseUrl: values['database-url'] ?? env.DATABASE_URL,
  }
}
