import { parseArgs } from 'node:util'

export const variantNames = ['fastify-bare', 'naive-kafkajs', 'go-franz', 'ingest', 'ingest-platformatic'] as const
export type VariantName = (typeof variantNames)[number]

export type BenchArgs = {
  variants: VariantName[]
  durationS: number
  warmupS: number
  connections: number
  poolSize: number
  seed: number
  brokers: string[]
  registryUrl: string
  help: boolean
}

export const benchUsage = `usage: pnpm bench:ingest [options]

  --variants a,b,...   which to run, in this order (default: ${variantNames.join(',')})
  --duration S         measured seconds per variant (default 15)
  --warmup S           unmeasured seconds before each measurement (default 3)
  --connections N      concurrent keep-alive connections (default 64)
  --pool N             distinct pre-signed requests cycled through (default 1000)
  --seed N             seed of the simulated events (default 1)
  --brokers LIST       Kafka bootstrap servers (default 127.0.0.1:9092)
  --registry URL       schema registry for ingest (default http://127.0.0.1:8081/apis/ccompat/v7)

Needs the local stack (pnpm stack up) and Go for go-franz. Loopback only.`

/** Parses and checks the runner's arguments; throws with every problem at once. */
export function parseBenchArgs(argv: string[]): BenchArgs {
  const { values } = parseArgs({
    args: argv,
    options: {
      variants: { type: 'string', default: variantNames.join(',') },
      duration: { type: 'string', default: '15' },
      warmup: { type: 'string', default: '3' },
      connections: { type: 'string', default: '64' },
      pool: { type: 'string', default: '1000' },
      seed: { type: 'string', default: '1' },
      brokers: { type: 'string', default: '127.0.0.1:9092' },
      registry: { type: 'string', default: 'http://127.0.0.1:8081/apis/ccompat/v7' },
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
  const args: BenchArgs = {
    variants: [...new Set(variants)] as VariantName[],
    // Upper bounds keep every run bounded in time on a small shared machine.
    durationS: number('duration', values.duration, 1, 600),
    warmupS: number('warmup', values.warmup, 0, 120),
    connections: number('connections', values.connections, 1, 1024),
    poolSize: number('pool', values.pool, 1, 100_000),
    seed: number('seed', values.seed, 0, 2 ** 31 - 1),
    brokers: values.brokers.split(',').filter((b) => b !== ''),
    registryUrl: values.registry,
    help: values.help,
  }
  // The benchmark sends traffic to this machine only.
  const nonLocal = [...args.brokers.map((b) => b.replace(/:\d+$/, '')), hostOf(args.registryUrl)].filter((h) => !isLoopback(h))
  if (nonLocal.length > 0) problems.push(`--brokers and --registry must be on loopback, got ${nonLocal.join(', ')}`)
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

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '[::1]' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)
}
