// Soak of the whole pipeline: `pnpm bench:soak --help`. How to read it: RELIABILITY.md.
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { buildRequest, runSend, type PlannedDelivery } from '@nudj-webhooks/nudj-sim'
import { groupLag, waitForNoLag } from '../lib/group-lag.ts'
import { describeOptions, parseNumberOptions } from '../lib/parse-options.ts'
import { createPipelineSuite, pipelineGroups, round, scanPipelineLogs } from '../lib/pipeline-suite.ts'
import { pidListeningOn, processTree } from '../lib/process-rss.ts'
import { fetchMetrics, sumMetric } from '../lib/read-metric.ts'
import { repoRoot } from '../lib/repo-root.ts'
import { consumerNames } from '../lib/start-pipeline.ts'
import { commandLine, describeRun, reportResults } from '../lib/write-results.ts'
import { probePeak } from './probe-peak.ts'
import { createRssSampler, type Sampled } from './rss-sampler.ts'
import { soakOptions, soakUsage, takeDuration } from './soak-options.ts'

const suite = createPipelineSuite('soak')
const say = suite.say

const probeRates = [25, 50, 100, 200, 400, 800, 1600]
const heapSuffix = ' heap used'

async function main(argv: string[]): Promise<number> {
  const parsed = suite.parse(soakUsage(describeOptions(soakOptions)), () => {
    const duration = takeDuration(argv, 30 * 60)
    return { ...parseNumberOptions(duration.rest, soakOptions), seconds: duration.seconds }
  })
  if (typeof parsed === 'number') return parsed
  const { values: o, seconds } = parsed
  const header = await describeRun(commandLine('soak', argv))
  const buildDir = join(repoRoot, 'bench', '.build')
  await mkdir(buildDir, { recursive: true })
  const samplesFile = join(buildDir, 'soak-rss.jsonl')
  await writeFile(samplesFile, '')
  return await suite.withPipeline(o.partitions, async (p) => {
    const brokerPid = await pidListeningOn(Number(p.kafka.brokers[0]!.split(':').at(-1)))
    const postgresPid = await pidListeningOn(Number(new URL(p.postgres.url).port))
    const pidOf = (child: { pid?: number | undefined }) => async () => (child.pid === undefined ? [] : [child.pid])
    const services = [['ingest', p.ingest] as const, ...consumerNames.map((n) => [n, p.consumers[n]] as const)]
    const processes: Sampled[] = [
      ...services.map(([name, service]) => ({ name, pids: pidOf(service.child()) })),
      { name: 'kafka', pids: async () => (brokerPid === undefined ? [] : [brokerPid]) },
      { name: 'postgres', pids: async () => (postgresPid === undefined ? [] : [postgresPid]) },
      // Every backend's RSS counts the shared buffers it touched again: an upper bound.
      { name: 'postgres_with_backends', pids: async () => (postgresPid === undefined ? [] : await processTree(postgresPid)) },
      { name: 'mailpit', pids: async () => [p.mailpit.pid()].filter((x): x is number => x !== undefined) },
      // V8's heap in use beside RSS: a leak grows it; a heap that only grew its capacity does not.
      ...services.map(([name, service]) => ({
        name: `${name}${heapSuffix}`,
        mb: async () => {
          const bytes = sumMetric(await fetchMetrics(service.opsUrl), 'webhooks_nodejs_heap_size_used_bytes')
          return bytes > 0 ? bytes / 1e6 : undefined
        },
      })),
    ]
    const receiver = p.ingest.receiver
    const signatures: string[] = []
    const keepSignature = (planned: PlannedDelivery): void => {
      const signature = buildRequest(receiver, planned.event).headers['x-nudj-signature']
      if (signature) signatures.push(signature.replace(/^sha256=/, ''))
    }
    const groups = pipelineGroups(p)
    let probe: Awaited<ReturnType<typeof probePeak>> | undefined
    if (o.rate === 0) {
      say(`measuring the pipeline's peak: ${probeRates.join(', ')} webhooks/s, ${o.probeSeconds} s each`)
      probe = await probePeak({
        receiver,
        brokers: p.infra.kafkaBrokers,
        groups,
        rates: probeRates,
        stepSeconds: o.probeSeconds,
        concurrency: o.concurrency,
        seed: o.seed * 1000,
        lagSeconds: o.probeLag,
        drainTimeoutMs: o.drain * 1000,
        say,
        onDelivery: keepSignature,
      })
      if (probe.peak === 0) throw new Error(`the pipeline did not hold even ${probeRates[0]} webhooks/s`)
    }
    const rate = probe ? Math.max(1, Math.floor(probe.peak / 2)) : o.rate
    say(`soak: ${rate} webhooks/s for ${seconds} s, RSS every ${o.sample} s to ${samplesFile}`)
    // Sampled from the soak's start: the probe's peak load is not part of it.
    const sampler = createRssSampler(processes, samplesFile, Date.now())
    say(`rss ${JSON.stringify(await sampler.sample())}`)
    let latest = ''
    const timer = setInterval(() => {
      void sampler.sample().then((r) => say(`rss ${JSON.stringify(r)} | ${latest}`))
    }, o.sample * 1000)
    const sendBegan = Date.now()
    const report = await runSend({
      receiver,
      count: rate * seconds,
      rate,
      concurrency: o.concurrency,
      seed: o.seed,
      gen1Share: 0.5,
      duplicates: 0.05,
      reorder: 0.1,
      signal: AbortSignal.timeout((seconds + 120) * 1000),
      onProgress: (r) => {
        latest = `sent ${r.deliveries.sent}, acked ${r.deliveries.acknowledged}, failed ${r.deliveries.sent - r.deliveries.acknowledged - r.deliveries.inFlight}, in flight ${r.deliveries.inFlight}`
      },
      onDelivery: keepSignature,
    }).finally(() => clearInterval(timer))
    const sendSeconds = round((Date.now() - sendBegan) / 1000)
    say(`traffic done in ${sendSeconds} s: ${report.deliveries.acknowledged} acknowledged of ${report.deliveries.sent}`)
    const lagAtEnd = await groupLag(p.infra.kafkaBrokers, groups).catch(() => ({}))
    const drain = await waitForNoLag(p.infra.kafkaBrokers, groups, {
      timeoutMs: o.drain * 1000,
      intervalMs: 3000,
      stableChecks: 2,
      say,
    }).catch((e: unknown) => ({ error: String(e) }))
    say(`rss ${JSON.stringify(await sampler.sample())} (final)`)
    const summary = sampler.summary()
    const rss = Object.fromEntries(Object.entries(summary).filter(([name]) => !name.endsWith(heapSuffix)))
    const heap = Object.fromEntries(
      Object.entries(summary)
        .filter(([name]) => name.endsWith(heapSuffix))
        .map(([name, r]) => [name.slice(0, -heapSuffix.length), r]),
    )
    const worst = Object.entries(rss)
      .filter(([name]) => name !== 'postgres_with_backends')
      .sort((a, b) => b[1].rss_mb_max - a[1].rss_mb_max)[0]
    const died = [p.ingest, ...consumerNames.map((n) => p.consumers[n])].filter(
      (s) => s.child().exitCode !== null || s.child().signalCode !== null,
    )

    const scan = scanPipelineLogs(p, signatures)
    const failed = report.deliveries.sent - report.deliveries.acknowledged
    const problems = [
      failed > 0 && `${failed} deliveries never acknowledged`,
      'error' in drain && `the consumers did not catch up: ${drain.error}`,
      died.length > 0 && `${died.length} service processes died`,
      scan.found > 0 && `${scan.found} secrets or signatures in log lines`,
    ].filter((x): x is string => typeof x === 'string')
    const results = {
      ...header,
      seconds: { total: suite.seconds(), traffic: sendSeconds, requested: seconds },
      peak_rate: probe?.peak ?? null,
      soak_rate: rate,
      probe: probe?.steps ?? null,
      settings: { ...o, duration_seconds: seconds, topic_prefix: p.topicPrefix, duplicates: 0.05, reorder: 0.1, gen1_share: 0.5 },
      ...(worst && {
        worst_process: worst[0],
        rss_mb_start: worst[1].rss_mb_start,
        rss_mb_end: worst[1].rss_mb_end,
        rss_mb_max: worst[1].rss_mb_max,
      }),
      rss_by_process: rss,
      // The same summary of each service's V8 heap in use (MB, the keys keep their rss_ names).
      heap_used_by_service: heap,
      acked: report.deliveries.acknowledged,
      failed,
      lag_at_end_of_traffic: lagAtEnd,
      catch_up_seconds: 'error' in drain ? null : drain.seconds,
      secrets_in_logs: scan.found,
      send_report: report,
      secret_scan: scan,
    }
    for (const [name, r] of Object.entries(summary))
      say(
        `${name}: ${name.endsWith(heapSuffix) ? '' : 'RSS '}${r.rss_mb_start} → ${r.rss_mb_end} MB (max ${r.rss_mb_max}; slope ${r.slope_mb_per_hour} MB/h, second half ${r.slope_mb_per_hour_second_half} MB/h)`,
      )
    return await reportResults('soak', results, problems, say)
  })
}

await suite.run(main)
