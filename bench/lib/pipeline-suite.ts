// What the suites over the whole pipeline (faults, soak) share around their own measurement:
// the clock of their log lines, their arguments, a pipeline of their own that is always
// stopped (also on SIGINT or SIGTERM), the consumer groups to wait for, and the secret scan
// of every process's log. Their results file: reportResults (write-results.ts).
import { rmSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { localInfra } from './local-infra.ts'
import { runSuite } from './run-suite.ts'
import { createSecretScanner, type SecretScan } from './scan-secrets.ts'
import { consumerNames, startPipeline, type Pipeline } from './start-pipeline.ts'

/** The consumers' retry schedule in both suites: short, so that retries happen within a run. */
export const suiteRetrySchedule = '1s,5s,15s'

export const round = (n: number): number => Math.round(n * 10) / 10

export type PipelineSuite = {
  /** Prints a line prefixed with the suite's name and its seconds so far. */
  say: (line: string) => void
  /** Seconds since the suite began, to a tenth. */
  seconds: () => number
  /**
   * Parses the arguments with `parse`; on `--help` prints `usage`, on a bad argument the problem
   * and `usage`, and then answers the exit code (0 or 2) instead.
   */
  parse: <T extends { help: boolean }>(usage: string, parse: () => T) => T | number
  /** Starts the pipeline in a temporary folder, runs `body` with it, then always stops it and deletes the folder. */
  withPipeline: (partitions: number, body: (p: Pipeline) => Promise<number>) => Promise<number>
  /** Runs `main` as this process: its answer is the exit code (1 if it throws); a signal stops the pipeline first. */
  run: (main: (argv: string[]) => Promise<number>) => Promise<void>
}

export function createPipelineSuite(name: string): PipelineSuite {
  const began = performance.now()
  const say = (line: string): void => console.log(`bench:${name} [${Math.round((performance.now() - began) / 1000)} s] ${line}`)
  let cleanup: (() => Promise<void>) | undefined
  return {
    say,
    seconds: () => round((performance.now() - began) / 1000),
    parse(usage, parse) {
      try {
        const parsed = parse()
        if (!parsed.help) return parsed
        console.log(usage)
        return 0
      } catch (error) {
        console.error(`bench:${name}: ${error instanceof Error ? error.message : String(error)}\n\n${usage}`)
        return 2
      }
    },
    async withPipeline(partitions, body) {
      const dir = await mkdtemp(join(tmpdir(), `bench-${name}-`))
      // Interrupted, the signal handler exits without reaching `finally`: the folder goes on exit.
      process.once('exit', () => rmSync(dir, { recursive: true, force: true }))
      try {
        const pipeline = await startPipeline({
          schemaRegistryUrl: localInfra().schemaRegistryUrl,
          dir,
          partitions,
          retrySchedule: suiteRetrySchedule,
          say,
          onCleanup: (close) => (cleanup = close),
        })
        return await body(pipeline)
      } finally {
        say('stopping the pipeline')
        await cleanup?.()
        await rm(dir, { recursive: true, force: true })
      }
    },
    run: async (main) =>
      await runSuite(
        name,
        async () => await main(process.argv.slice(2)),
        () => cleanup?.(),
        say,
      ),
  }
}

/** Every consumer group of the pipeline, and its retry group: all must catch up before an audit. */
export function pipelineGroups(p: Pipeline): string[] {
  return consumerNames.flatMap((n) => [p.consumers[n].group, `${p.consumers[n].group}.retry`])
}

/** Every process's log lines so far, by stream name. */
export function pipelineLogs(p: Pipeline): Record<string, string[]> {
  return {
    ingest: p.ingest.logLines,
    mailpit: p.mailpit.logLines,
    ...Object.fromEntries(consumerNames.map((n) => [n, p.consumers[n].logLines])),
  }
}

/** Scans every log line for the pipeline's secrets and the signatures the suite sent. */
export function scanPipelineLogs(p: Pipeline, signatures: string[]): SecretScan {
  const scanner = createSecretScanner([...p.secrets, ...signatures.map((value) => ({ label: 'signature sent', value }))])
  for (const [stream, lines] of Object.entries(pipelineLogs(p))) scanner.scan(stream, lines)
  return scanner.result()
}
