// Broker failover under load: `pnpm bench:failover --help`. What it does and how to read it: RELIABILITY.md.
import { appendFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildRequest, runSend } from '@nudj-webhooks/nudj-sim'
import { startIngestProcess, startKafkaCluster, type IngestProcess, type KafkaCluster } from '@nudj-webhooks/testing'
import { assertLoopback, localInfra } from '../lib/local-infra.ts'
import { describeOptions, parseNumberOptions } from '../lib/parse-options.ts'
import { readTopicKeys } from '../lib/read-topic-keys.ts'
import { repoRoot } from '../lib/repo-root.ts'
import { createSecretScanner } from '../lib/scan-secrets.ts'
import { commandLine, describeRun, reportResults } from '../lib/write-results.ts'
import { accountFailover, type DeliveryRecord } from './failover-accounting.ts'
import { failoverFlags, failoverOptions, failoverUsage } from './failover-options.ts'
import { chooseVictim } from './choose-victim.ts'
import { leadersByNode, prepareTopics } from './prepare-topics.ts'
import { productShedding } from '../lib/product-shedding.ts'

const buildDir = join(repoRoot, 'bench', '.build')
const say = (line: string): void => console.log(`bench:failover: ${line}`)
const round = (n: number): number => Math.round(n * 10) / 10

async function main(argv: string[]): Promise<number> {
  let parsed: ReturnType<typeof parseNumberOptions<keyof typeof failoverOptions>>
  try {
    parsed = parseNumberOptions(argv, failoverOptions, failoverFlags)
  } catch (error) {
    console.error(
      `bench:failover: ${error instanceof Error ? error.message : String(error)}\n\n${failoverUsage(describeOptions(failoverOptions, failoverFlags))}`,
    )
    return 2
  }
  if (parsed.help) {
    console.log(failoverUsage(describeOptions(failoverOptions, failoverFlags)))
    return 0
  }
  const o = parsed.values
  if (o.hang >= o.before) {
    console.error(`bench:failover: --hang (${o.hang}) must be shorter than --before (${o.before})`)
    return 2
  }
  const shared = localInfra()
  const header = await describeRun(commandLine('failover', argv))
  const began = performance.now()
  const dir = await mkdtemp(join(tmpdir(), 'bench-failover-'))
  let cluster: KafkaCluster | undefined
  let ingest: IngestProcess | undefined
  // Interrupted (Ctrl-C, SIGTERM): exit through the 'exit' handlers, which SIGKILL the brokers and delete their data.
  process.once('SIGINT', () => process.exit(130))
  process.once('SIGTERM', () => process.exit(143))
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }))
  process.once('exit', () => ingest?.child().kill('SIGKILL'))
  try {
    say(`starting three Kafka nodes under ${dir}`)
    cluster = await startKafkaCluster(dir)
    const clusterSeconds = round((performance.now() - began) / 1000)
    say(`cluster up in ${clusterSeconds} s: ${cluster.brokers.join(', ')}`)
    const infra = { ...shared, kafkaBrokers: cluster.brokers }
    assertLoopback(infra)
    const prefix = `bench.failover.${Date.now()}`
    const topics = await prepareTopics(cluster.brokers, prefix, o.partitions)
    say(`${topics.topics.length} topics, ${o.partitions} partitions, replication 3, min.insync.replicas ${topics.min_insync_replicas}`)
    ingest = await startIngestProcess(infra, prefix, {
      ...productShedding,
      KAFKA_REPLICATION_FACTOR: '3',
      KAFKA_TOPIC_PARTITIONS: String(o.partitions),
    })
    const victim = await chooseVictim(cluster, topics.topics, parsed.flags['kill-partition-leader'] ? 'partition-leader' : 'controller')
    say(
      `victim: node ${victim.node} (${victim.reason}); quorum leader ${victim.quorum_leader}, partition leaders ${JSON.stringify(victim.leaders_before)}`,
    )

    const receiver = ingest.receiver
    const deliveries: DeliveryRecord[] = []
    const signatures: string[] = []
    const count = o.rate * (o.before + o.during + o.after)
    let killAtMs = Number.POSITIVE_INFINITY
    let killError: string | undefined
    const sendBegan = Date.now()
    // Ingest's log goes to disk as the load runs, so a run stopped from outside still leaves it.
    mkdirSync(buildDir, { recursive: true })
    const ingestLog = join(buildDir, 'failover-ingest.log')
    writeFileSync(ingestLog, '')
    let loggedLines = 0
    const flushIngestLog = (): void => {
      const lines = ingest!.logLines.slice(loggedLines)
      loggedLines += lines.length
      if (lines.length > 0) appendFileSync(ingestLog, `${lines.join('\n')}\n`)
    }
    const hangTimer =
      o.hang > 0
        ? setTimeout(
            () => {
              say(`SIGSTOP node ${victim.node} for ${o.hang} s`)
              cluster!.freeze(victim.node)
            },
            (o.before - o.hang) * 1000,
          )
        : undefined
    const killTimer = setTimeout(() => {
      killAtMs = Date.now()
      say(`SIGKILL node ${victim.node}`)
      cluster!.kill(victim.node).catch((e: unknown) => (killError = String(e)))
    }, o.before * 1000)
    let lastProgress = 0
    const report = await runSend({
      receiver,
      count,
      rate: o.rate,
      concurrency: o.concurrency,
      seed: o.seed,
      gen1Share: 0.5,
      onProgress: (r) => {
        if (Date.now() - lastProgress < 3000) return
        lastProgress = Date.now()
        flushIngestLog()
        const phase = Date.now() < killAtMs ? 'before' : Date.now() < killAtMs + o.during * 1000 ? 'during' : 'after'
        say(
          `[${phase}] sent ${r.deliveries.sent}/${count}, acked ${r.deliveries.acknowledged}, in flight ${r.deliveries.inFlight}, retries ${r.retried.attempts}, statuses ${JSON.stringify(r.statusCodes)}`,
        )
      },
      onDelivery: (planned, result) => {
        const signature = buildRequest(receiver, planned.event).headers['x-nudj-signature']
        if (signature) signatures.push(signature.replace(/^sha256=/, ''))
        const last = result.attempts.at(-1)
        let webhookId: string | undefined
        if (result.outcome === 'acknowledged') {
          try {
            webhookId = (JSON.parse(last?.responseBody ?? '{}') as { webhookId?: string }).webhookId
          } catch {
            webhookId = undefined
          }
          webhookId ??= planned.event.deliveryId
        }
        deliveries.push({
          acknowledged: result.outcome === 'acknowledged',
          ...(webhookId !== undefined && { webhookId }),
          attempts: result.attempts.map((a) => ({
            startedAtMs: Date.parse(a.startedAt),
            durationMs: a.durationMs,
            ...(a.status !== undefined && { status: a.status }),
            ...(a.status !== undefined && (a.status < 200 || a.status >= 300) && { code: codeOf(a.responseBody, a.status) }),
          })),
        })
      },
    }).finally(() => [hangTimer, killTimer].forEach(clearTimeout))
    const sendSeconds = round((Date.now() - sendBegan) / 1000)
    say(`load done in ${sendSeconds} s: ${report.deliveries.acknowledged} acknowledged of ${report.deliveries.sent}`)

    const survivors = cluster.nodes.filter((n) => cluster!.alive(n.id)).map((n) => n.address)
    const categoryTopics = topics.topics.filter((t) => !t.endsWith('.rejected'))
    const stored = await readTopicKeys(survivors, categoryTopics, 120_000)
    const figures = accountFailover(deliveries, stored, killAtMs, o.during * 1000)
    const leadersAfter = await leadersByNode(survivors, topics.topics).catch(() => ({}))
    const ingestExit = await ingest.stop()

    const scanner = createSecretScanner([
      { label: 'gen-2 secret', value: ingest.secret },
      { label: 'gen-1 bearer token', value: ingest.gen1Token },
      ...signatures.map((value) => ({ label: 'signature sent', value })),
    ])
    scanner.scan('ingest', ingest.logLines)
    for (const { stream, lines } of await cluster.logLines()) scanner.scan(stream, lines)
    const scan = scanner.result()
    // Kept for diagnosis (bench/.build is not committed): what ingest and each broker logged.
    flushIngestLog()
    for (const { stream, lines } of await cluster.logLines()) await writeFile(join(buildDir, `failover-${stream}.log`), lines.join('\n'))

    const results = {
      ...header,
      seconds: { total: round((performance.now() - began) / 1000), cluster_start: clusterSeconds, load: sendSeconds },
      settings: { ...o, topic_prefix: prefix, kill: victim.reason },
      ...figures,
      secrets_in_logs: scan.found,
      cluster: {
        nodes: 3,
        kafka: '4.1.1',
        brokers: cluster.brokers,
        topics: topics,
        killed_node: victim.node,
        ...victim,
        leaders_after: leadersAfter,
        kill_error: killError,
      },
      ingest: { exit_code_on_sigterm: ingestExit, log_lines: ingest.logLines.length, send_report: report },
      secret_scan: scan,
    }
    const problems = [
      killError && `the kill failed: ${killError}`,
      !Number.isFinite(killAtMs) && 'the broker was never killed (the load ended first)',
      figures.failed > 0 && `${figures.failed} deliveries never got a 2xx`,
      figures.lost > 0 && `${figures.lost} acknowledged webhooks are not in Kafka`,
      figures.unexpected_duplicates > 0 && `${figures.unexpected_duplicates} webhooks stored twice without a retry`,
      scan.found > 0 && `${scan.found} secrets or signatures in log lines`,
      ingestExit !== 0 && `ingest exited ${ingestExit} on SIGTERM`,
    ].filter((p): p is string => typeof p === 'string')
    say(
      `acked ${figures.acked}, failed ${figures.failed}, lost ${figures.lost}, p99 before ${figures.p99_ms_before} ms, during ${figures.p99_ms_during} ms, after ${figures.p99_ms_after} ms`,
    )
    say(
      `retried deliveries ${figures.retried_deliveries}, attempts by status ${JSON.stringify(figures.attempts_by_status)}, secrets in logs ${scan.found} (${scan.lines} lines)`,
    )
    return await reportResults('failover', results, problems, say)
  } finally {
    if (ingest && ingest.child().exitCode === null && ingest.child().signalCode === null) await ingest.stop().catch(() => undefined)
    await cluster?.close().catch(() => undefined)
    await rm(dir, { recursive: true, force: true })
    say('cluster stopped, temporary directory removed')
  }
}

process.exitCode = await main(process.argv.slice(2)).catch((error: unknown) => {
  console.error('bench:failover failed:', error)
  return 1
})

/** The error code of an answer's JSON body (`{"code": "KAFKA_TIMEOUT", ...}`), else its status. */
function codeOf(body: string | undefined, status: number): string {
  return /"code"\s*:\s*"([A-Z_]+)"/.exec(body ?? '')?.[1] ?? String(status)
}
