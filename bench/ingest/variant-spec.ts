import { dirname, join } from 'node:path'
import type { VariantName } from './parse-bench-args.ts'
import type { VariantSpec } from './start-variant.ts'

export type VariantContext = {
  repoRoot: string
  buildDir: string
  baseEnv: Record<string, string | undefined>
  port: number
  /** ingest only: its separate ops port (`/readyz`, `/metrics`). */
  opsPort: number
  brokers: string[]
  registryUrl: string
  /** fastify-bare, naive-kafkajs and go-franz only; ingest routes to its own topics. */
  topic: string
  /** ingest only: the sources file and the gen-2 secret it names through `BENCH_SECRET`. */
  sourcesFile: string
  secret: string
}

/** How to start one variant: its command, environment and readiness probe. */
export function variantSpec(name: VariantName, ctx: VariantContext): VariantSpec {
  const origin = `http://127.0.0.1:${ctx.port}`
  const logFile = join(ctx.buildDir, `${name}.log`)
  const common = ['--port', String(ctx.port), '--brokers', ctx.brokers.join(','), '--topic', ctx.topic]
  switch (name) {
    case 'fastify-bare':
    case 'naive-kafkajs':
      return {
        name,
        command: process.execPath,
        args: [join(ctx.repoRoot, 'bench', 'ingest', `${name}.ts`), ...common],
        env: ctx.baseEnv,
        readyUrl: `${origin}/healthz`,
        logFile,
      }
    case 'go-franz':
      return {
        name,
        command: join(ctx.buildDir, 'go-franz'),
        args: common.map((arg) => (arg.startsWith('--') ? arg.slice(1) : arg)),
        env: ctx.baseEnv,
        readyUrl: `${origin}/healthz`,
        logFile,
      }
    case 'ingest':
    case 'ingest-platformatic':
      // Started as the image starts it (deploy/docker/start.sh), with the same Node flags.
      return {
        name,
        command: '/bin/sh',
        args: [join(ctx.repoRoot, 'deploy', 'docker', 'start.sh')],
        env: {
          ...ctx.baseEnv,
          SERVICE: 'ingest',
          PATH: `${dirname(process.execPath)}:${ctx.baseEnv.PATH ?? ''}`,
          INGEST_PORT: String(ctx.port),
          INGEST_OPS_PORT: String(ctx.opsPort),
          INGEST_ALLOW_PLAIN_HTTP: 'true',
          KAFKA_BROKERS: ctx.brokers.join(','),
          SCHEMA_REGISTRY_URL: ctx.registryUrl,
          INGEST_SOURCES_FILE: ctx.sourcesFile,
          BENCH_SECRET: ctx.secret,
          KAFKA_PRODUCER_DRIVER: name === 'ingest' ? 'kafkajs' : 'platformatic',
        },
        readyUrl: `http://127.0.0.1:${ctx.opsPort}/readyz`,
        logFile,
      }
  }
}
