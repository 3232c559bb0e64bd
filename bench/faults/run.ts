// Zero loss under faults across the whole pipeline: `pnpm bench:faults --help`. How to read it: RELIABILITY.md.
import { rmSync } from 'node:fs'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runSend } from '@nudj-webhooks/nudj-sim'
import { localInfra } from '../lib/local-infra.ts'
import { waitForNoLag } from '../lib/group-lag.ts'
import { describeOptions, parseNumberOptions } from '../lib/parse-options.ts'
import { repoRoot } from '../lib/repo-root.ts'
import { createSecretScanner } from '../lib/scan-secrets.ts'
import { consumerNames, startPipeline, type Pipeline } from '../lib/start-pipeline.ts'
import { commandLine, describeRun, writeResults } from '../lib/write-results.ts'
import { auditPipeline } from './audit-pipeline.ts'
import { planFaults } from './fault-plan.ts'
import { faultsFlags, faultsOptions, faultsUsage } from './faults-options.ts'
import { createDeliveryRecorder } from './record-deliveries.ts'
import { runFaults } from './run-faults.ts'
import { runSuite } from '../lib/run-suite.ts'

const began = performance.now()
const say = (line: string): void => console.log(`bench:faults [${Math.round((performance.now() - began) / 1000)} s] ${line}`)
const round = (n: number): number => Math.round(n * 10) / 10
let cleanup: (() => Promise<void>) | undefined

async function main(argv: string[]): Promise<number> {
  let parsed: ReturnType<typeof parseNumberOptions<keyof typeof faultsOptions>>
  try {
    parsed = parseNumberOptions(argv, faultsOptions, faultsFlags)
  } catch (error) {
    console.error(
      `bench:faults: ${error instanceof Error ? error.message : String(error)}\n\n${faultsUsage(describeOptions(faultsOptions, faultsFlags))}`,
    )
    return 2
  }
  if (parsed.help) {
    console.log(faultsUsage(describeOptions(faultsOptions, faultsFlags)))
    return 0
  }
  const o = parsed.values
  const header = await describeRun(commandLine('faults', argv))
  const dir = await mkdtemp(join(tmpdir(), 'bench-faults-'))
  // Interrupted, the signal handler exits without reaching `finally`: the folder goes on exit.
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }))
  let pipeline: Pipeline | undefined
  try {
    pipeline = await startPipeline({
      schemaRegistryUrl: localInfra().schemaRegistryUrl,
      dir,
      partitions: o.partitions,
      retrySchedule: '1s,5s,15s',
      say,
      onCleanup: (close) => (cleanup = close),
    })
    const p = pipeline
    const receiver = {
      url: p.ingest.url,
      secret: p.ingest.secret,
      gen1Headers: { Authorization: `Bearer ${p.ingest.gen1Token}`, 'X-Webhook-Source': 'nudj-platform' },
    }
    const recorder = createDeliveryRecorder(receiver)
    const expectedSeconds = (o.count * (1 + o.duplicates / 100)) / o.rate
    const plan = planFaults(o.seed, expectedSeconds)
    say(
      `sending ${o.count} webhooks at ${o.rate}/s (about ${Math.round(expectedSeconds)} s); faults at ${plan.map((f) => `${f.fault} ${f.plannedAtSeconds} s`).join(', ')}`,
    )
    const sendBegan = Date.now()
    let sendDone = false
    const faults = runFaults(p, plan, { sendBegan, outageMs: o.outage * 1000, sendDone: () => sendDone, say })
    let lastProgress = 0
    const report = await runSend({
      receiver,
      count: o.count,
      rate: o.rate,
      concurrency: o.concurrency,
      seed: o.seed,
      gen1Share: 0.5,
      duplicates: o.duplicates / 100,
      reorder: o.reorder / 100,
      // More patient than Nudj's documented gen-1 policy (3 retries, 5 s apart): an outage of
      // the broker outlasts 15 s on this machine, and a delivery Nudj gives up on is not lost.
      policies: {
        gen1: { kind: 'fixed', delayMs: 5000, maxRetries: 24 },
        gen2: { kind: 'exponential', initialDelayMs: 1000, factor: 2, maxDelayMs: 20_000, maxRetries: 12 },
      },
      signal: AbortSignal.timeout(o.maxSeconds * 1000),
      onProgress: (r) => {
        if (Date.now() - lastProgress < 5000) return
        lastProgress = Date.now()
        say(
          `sent ${r.deliveries.sent}, acked ${r.deliveries.acknowledged}, in flight ${r.deliveries.inFlight}, retries ${r.retried.attempts}, statuses ${JSON.stringify(r.statusCodes)}`,
        )
      },
      onDelivery: recorder.onDelivery,
    })
    sendDone = true
    const sendSeconds = round((Date.now() - sendBegan) / 1000)
    say(
      `send done in ${sendSeconds} s: ${report.deliveries.acknowledged} acknowledged of ${report.deliveries.sent}; waiting for the faults to finish`,
    )
    const faultRecords = await faults
    const groups = consumerNames.flatMap((n) => [p.consumers[n].group, `${p.consumers[n].group}.retry`])
    const drain = await waitForNoLag(p.infra.kafkaBrokers, groups, { timeoutMs: o.drain * 1000, intervalMs: 3000, stableChecks: 3, say })
    say(`consumers caught up ${drain.seconds} s after the send`)
    const audit = await auditPipeline(p, recorder.webhooks, say)

    const scanner = createSecretScanner([...p.secrets, ...recorder.signatures.map((value) => ({ label: 'signature sent', value }))])
    const streams = {
      ingest: p.ingest.logLines,
      mailpit: p.mailpit.logLines,
      ...Object.fromEntries(consumerNames.map((n) => [n, p.consumers[n].logLines])),
    }
    for (const [stream, lines] of Object.entries(streams)) scanner.scan(stream, lines)
    const scan = scanner.result()
    if (parsed.flags['keep-logs']) {
      await mkdir(join(repoRoot, 'bench', '.build'), { recursive: true })
      for (const [stream, lines] of Object.entries(streams))
        await writeFile(join(repoRoot, 'bench', '.build', `faults-${stream}.log`), `${lines.join('\n')}\n`)
    }
    const problems = [
      ...audit.problems,
      ...faultRecords.filter((f) => f.error).map((f) => `fault ${f.fault} failed: ${f.error}`),
      ...faultRecords.filter((f) => !f.duringSend).map((f) => `fault ${f.fault} struck after the send had ended`),
      faultRecords.length < plan.length && 'not every fault ran',
      recorder.idMismatches() > 0 && `${recorder.idMismatches()} webhook ids answered by ingest differ from the suite's own derivation`,
      scan.found > 0 && `${scan.found} secrets or signatures in log lines`,
    ].filter((x): x is string => typeof x === 'string')
    const results = {
      ...header,
      seconds: { total: round((performance.now() - began) / 1000), send: sendSeconds, catch_up_after_send: drain.seconds },
      settings: { ...o, retry_schedule: '1s,5s,15s', topic_prefix: p.topicPrefix, gen1_share: 0.5 },
      ...audit.figures,
      secrets_in_logs: scan.found,
      faults: faultRecords,
      deliveries: { outcomes: recorder.outcomes, webhook_ids_sent: recorder.webhooks.size, send_report: report },
      kafka: audit.kafka,
      analytics: audit.analytics,
      email: audit.email,
      notifications: audit.notifications,
      dlq_by_group: audit.dlq_by_group,
      secret_scan: scan,
      passed: problems.length === 0,
      problems,
    }
    const file = await writeResults('faults', results)
    say(
      `acked ${audit.figures.acked}, lost ${audit.figures.lost}, doubled_effects ${audit.figures.doubled_effects}, dlq ${audit.figures.dlq}, secrets in logs ${scan.found} (${scan.lines} lines)`,
    )
    say(`wrote ${file}`)
    for (const problem of problems) say(`FAILED: ${problem}`)
    return problems.length === 0 ? 0 : 1
  } finally {
    say('stopping the pipeline')
    await cleanup?.()
    await rm(dir, { recursive: true, force: true })
  }
}

await runSuite(
  'faults',
  async () => await main(process.argv.slice(2)),
  () => cleanup?.(),
  say,
)
