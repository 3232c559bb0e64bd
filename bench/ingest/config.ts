import { parseArgs } from 'node:util'

/** What the stand-alone variants (fastify-bare, naive-kafkajs) need: where to listen and where to write. */
export type VariantConfig = {
  port: number
  brokers: string[]
  topic: string
}

/**
 * Arguments win over the environment (`PORT`, `KAFKA_BROKERS`, `BENCH_TOPIC`), so the runner can
 * say everything on the command line and a person can still start a variant by hand.
 */
export function loadVariantConfig(argv: string[], env: Record<string, string | undefined>): VariantConfig {
  const { values } = parseArgs({
    args: argv,
    options: { port: { type: 'string' }, brokers: { type: 'string' }, topic: { type: 'string' } },
    strict: true,
    allowPositionals: false,
  })
  const port = Number(values.port ?? env.PORT ?? '3000')
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`--port must be a port number, got '${values.port ?? env.PORT}'`)
  const brokers = (values.brokers ?? env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',').filter((b) => b !== '')
  return { port, brokers, topic: values.topic ?? env.BENCH_TOPIC ?? 'bench.ingest' }
}

/** NODE_OPTIONS as the runner saw them: they change the Node variants' figures, so they are recorded. */
export function nodeOptionsOf(env: Record<string, string | undefined>): string | undefined {
  return env.NODE_OPTIONS || undefined
}
