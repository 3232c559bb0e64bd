// The ingest benchmark: five HTTP→Kafka variants (ingest with each producer driver) measured one after another in one run,
// on loopback against the local stack. What it measures and how to read it: bench/README.md.
import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { buildGoFranz } from './build-go-franz.ts'
import { buildRequestPool } from './build-request-pool.ts'
import { nodeOptionsOf } from './config.ts'
import { createBenchTopics } from './create-bench-topics.ts'
import { describeMachine } from './describe-machine.ts'
import { freePort } from '@nudj-webhooks/testing'
import { formatRatios, formatResultsTable, ingestRatios } from './format-results.ts'
import type { VariantFigures } from './format-results.ts'
import { measureVariant } from './measure-variant.ts'
import { benchUsage, parseBenchArgs } from './parse-bench-args.ts'
import type { BenchArgs, VariantName } from './parse-bench-args.ts'
import { variantSpec } from './variant-spec.ts'

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const buildDir = join(repoRoot, 'bench', '.build')
const resultsFile = join(repoRoot, 'bench', 'results', 'ingest.json')
const ingestMain = join(repoRoot, 'services', 'ingest', 'src', 'main.ts')
const source = 'bench'
const isIngest = (name: VariantName): boolean => name === 'ingest' || name === 'ingest-platformatic'

async function main(argv: string[]): Promise<number> {
  let args: BenchArgs
  try {
    args = parseBenchArgs(argv)
  } catch (error) {
    console.error(`bench:ingest: ${error instanceof Error ? error.message : String(error)}\n\n${benchUsage}`)
    return 2
  }
  if (args.help) {
    console.log(benchUsage)
    return 0
  }
  if (args.variants.some(isIngest) && !existsSync(ingestMain)) {
    console.error(`bench:ingest: ${ingestMain} does not exist yet; leave ingest out, e.g. --variants fastify-bare,naive-kafkajs,go-franz`)
    return 2
  }

  await mkdir(buildDir, { recursive: true })
  const say = (line: string): void => console.log(`bench:ingest: ${line}`)
  const secret = `whsec_${randomBytes(24).toString('base64')}`
  const pool = buildRequestPool({ seed: args.seed, size: args.poolSize, secret, source })
  const meanBytes = Math.round(pool.reduce((sum, r) => sum + r.body.length, 0) / pool.length)
  say(`${pool.length} signed gen-2 requests, ${meanBytes} bytes of body on average`)

  const topicOf = (name: VariantName): string => `bench.ingest.${name}`
  await createBenchTopics(args.brokers, args.variants.filter((v) => !isIngest(v)).map(topicOf))
  if (args.variants.includes('go-franz')) {
    say('building go-franz')
    await buildGoFranz(repoRoot, buildDir)
  }
  // Outside the repository, where no formatter or linter looks; it names the secret's variable, not the secret.
  const sourcesDir = await mkdtemp(join(tmpdir(), 'bench-ingest-'))
  const sourcesFile = join(sourcesDir, 'sources.json')
  const sources = { sources: { [source]: { schemes: ['gen2-hmac'], gen2Secrets: [{ id: 'bench', env: 'BENCH_SECRET' }] } } }
  await writeFile(sourcesFile, `${JSON.stringify(sources)}\n`)

  const variants: Record<string, VariantFigures> = {}
  try {
    for (const name of args.variants) {
      const port = await freePort()
      const spec = variantSpec(name, {
        repoRoot,
        buildDir,
        baseEnv: process.env,
        port,
        opsPort: await freePort(),
        brokers: args.brokers,
        registryUrl: args.registryUrl,
        topic: topicOf(name),
        sourcesFile,
        secret,
      })
      variants[name] = await measureVariant(spec, {
        url: `http://127.0.0.1:${port}`,
        // The same deliveries, timestamped anew: ingest refuses a signed timestamp older than
        // INGEST_REPLAY_TOLERANCE (5 min), and a whole run takes longer than that.
        pool: buildRequestPool({ seed: args.seed, size: args.poolSize, secret, source }),
        connections: args.connections,
        durationS: args.durationS,
        warmupS: args.warmupS,
        halfRate: isIngest(name),
        say,
      })
    }
  } finally {
    await rm(sourcesDir, { recursive: true, force: true })
  }

  const ratios = ingestRatios(variants)
  const nodeOptions = nodeOptionsOf(process.env)
  const report = {
    machine: await describeMachine(),
    date: new Date().toISOString(),
    command: [nodeOptions ? `NODE_OPTIONS='${nodeOptions}'` : '', 'node bench/ingest/run.ts', ...argv]
      .filter((part) => part !== '')
      .join(' '),
    settings: {
      durationS: args.durationS,
      warmupS: args.warmupS,
      connections: args.connections,
      pool: args.poolSize,
      bodyBytes: meanBytes,
    },
    variants,
    ratios,
  }
  await mkdir(dirname(resultsFile), { recursive: true })
  await writeFile(resultsFile, `${JSON.stringify(report, null, 2)}\n`)
  console.log(`\n${formatResultsTable(variants)}\n`)
  if (Object.keys(ratios).length > 0) console.log(`${formatRatios(ratios)}\n`)
  say(`wrote ${resultsFile}`)
  return 0
}

process.exitCode = await main(process.argv.slice(2)).catch((error: unknown) => {
  console.error('bench:ingest: failed:', error)
  return 1
})
