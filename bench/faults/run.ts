// Zero loss under faults across the whole pipeline: `pnpm bench:faults --help`. How to read it: RELIABILITY.md.
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { runSend } from '@nudj-webhooks/nudj-sim'
import { waitForNoLag } from '../lib/group-lag.ts'
import { describeOptions, parseNumberOptions } from '../lib/parse-options.ts'
import { createPipelineSuite, pipelineGroups, pipelineLogs, round, scanPipelineLogs, suiteRetrySchedule } from '../lib/pipeline-suite.ts'
import { repoRoot } from '../lib/repo-root.ts'
import { commandLine, describeRun, reportResults } from '../lib/write-results.ts'
import { auditPipeline } from './audit-pipeline.ts'
import { planFaults } from './fault-plan.ts'
import { faultsFlags, faultsOptions, faultsUsage } from './faults-options.ts'
import { createDeliveryRecorder } from './record-deliveries.ts'
import { runFaults } from './run-faults.ts'

const suite = createPipelineSuite('faults')
const say = suite.say

async function main(argv: string[]): Promise<number> {
  const parsed = suite.parse(faultsUsage(describeOptions(faultsOptions, faultsFlags)), () =>
    parseNumberOptions(argv, faultsOptions, faultsFlags),
  )
  if (typeof parsed === 'number') return parsed
  const o = parsed.values
  const header = await describeRun(commandLine('faults', argv))
  return await suite.withPipeline(o.partitions, async (p) => {
    const receiver = p.ingest.receiver
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
    const drain = await waitForNoLag(p.infra.kafkaBrokers, pipelineGroups(p), {
      timeoutMs: o.drain * 1000,
      intervalMs: 3000,
      stableChecks: 3,
      say,
    })
    say(`consumers caught up ${drain.seconds} s after the send`)
    const audit = await auditPipeline(p, recorder.webhooks, say)

    const scan = scanPipelineLogs(p, recorder.signatures)
    const streams = pipelineLogs(p)
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
      seconds: { total: suite.seconds(), send: sendSeconds, catch_up_after_send: drain.seconds },
      settings: { ...o, retry_schedule: suiteRetrySchedule, topic_prefix: p.topicPrefix, gen1_share: 0.5 },
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
    }
    say(
      `acked ${audit.figures.acked}, lost ${audit.figures.lost}, doubled_effects ${audit.figures.doubled_effects}, dlq ${audit.figures.dlq}, secrets in logs ${scan.found} (${scan.lines} lines)`,
    )
    return await reportResults('faults', results, problems, say)
  })
}

await suite.run(main)
