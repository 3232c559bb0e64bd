import { parseArgs } from 'node:util'

export const variantNames = ['kafka-perf', 'kafkajs-bare', 'runtime-noop', 'runtime-postgres'] as const
export type VariantName = (typeof variantNames)[number]

export type ConsumerBenchArgs = {
  variants: VariantName[]
  records: number
  /** An existing topic to drain; none: a fresh one is filled first. */
  topic: string | undefined
  compression: 'none' | 'gzip'
  timeoutS: number
  brokers: string[]
  databaseUrl: string
  deleteTopic: boolean
  help: boolean
}

export const consumerBenchUsage = `usage: pnpm bench:consumer [options]

  --records N          records to drain per variant (default 1000000)
  --topic NAME         drain this existing topic (holding at least N records) instead of producing a fresh one
  --variants a,b,...   which to run, in this order (default: ${variantNames.join(',')})
  --compression C      none or gzip, for the records produced (default none)
  --timeout S          seconds a variant (and the producing) may take before it is stopped (default 600)
  --brokers LIST       Kafka bootstrap servers (default: the local stack's)
  --database-url URL   administrative Postgres URL; the runtime variants get a fresh database each (default: the local stack's)
  --delete-topic       delete the topic at the end (it is kept by default, to be reused with --topic)

Needs the local stack (pnpm stack up kafka postgres) and Java 17+ for kafka-perf. Loopback only.`

/** Parses and checks the runner's arguments; throws with every problem at once. */
export function parseConsumerBenchArgs(argv: string[], defaults: { brokers: string[]; databaseUrl: string }): ConsumerBenchArgs {
  const { values } = parseArgs({
    args: argv,
    options: {
      records: { type: 'string', default: '1000000' },
      topic: { type: 'string' },
      variants: { type: 'string', default: variantNames.join(',') },
      compression: { type: 'string', default: 'none' },
      timeout: { type: 'string', default: '600' },
      brokers: { type: 'string', default: defaults.brokers.join(',') },
      'database-url': { type: 'string', default: defaults.databaseUrl },
      'delete-topic': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
    allowPositionals: false,
  })
  const problems: string[] = []
  const variants = values.variants.split(',').filter((v) => v !== '')
  const unknown = variants.filter((v) => !(variantNames as readonly string[]).includes(v))
  if (unknown.length > 0) problems.push(`--variants: unknown ${unknown.join(', ')}; choose from ${variantNames.join(', ')}`)
  if (variants.length === 0) problems.push('--variants names none')
  const number = (name: string, text: string, min: number, max: number): number => {
    const value = Number(text)
    if (!Number.isInteger(value) || value < min || value > max) problems.push(`--${name} must be a whole number from ${min} to ${max}`)
    return value
  }
  if (values.compression !== 'none' && values.compression !== 'gzip') problems.push(`--compression must be none or gzip`)
  if (values.topic !== undefined && !/^[a-zA-Z0-9._-]{1,249}$/.test(values.topic))
    problems.push(`--topic '${values.topic}' is not a topic name`)
  const args: ConsumerBenchArgs = {
    variants: [...new Set(variants)] as VariantName[],
    // Upper bounds keep every run bounded in time on a small shared machine.
    records: number('records', values.records, 1, 10_000_000),
    topic: values.topic,
    compression: values.compression as 'none' | 'gzip',
    timeoutS: number('timeout', values.timeout, 10, 3_600),
    brokers: values.brokers.split(',').filter((b) => b !== ''),
    databaseUrl: values['database-url'],
    deleteTopic: values['delete-topic'],
    help: values.help,
  }
  // The benchmark reads and writes on this machine only.
  const hosts = [...args.brokers.map((b) => b.replace(/:\d+$/, '')), hostOf(args.databaseUrl)]
  const nonLocal = hosts.filter((h) => !['localhost', '::1', '[::1]'].includes(h) && !/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h))
  if (nonLocal.length > 0) problems.push(`--brokers and --database-url must be on loopback, got ${nonLocal.join(', ')}`)
  if (problems.length > 0) throw new Error(problems.join('\n'))
  return args
}

function hostOf(url: string): string {
  try {
    return new URL(url).hostname
  } catch {
    return url
  }
}
