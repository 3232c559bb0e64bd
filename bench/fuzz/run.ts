// Hostile input against ingest: `pnpm bench:fuzz --help`. What it does and how to read it: RELIABILITY.md.
import { createRandom } from '@nudj-webhooks/nudj-sim'
import { startIngestProcess } from '@nudj-webhooks/testing'
import { deleteTopicsWithPrefix } from '../lib/delete-topics.ts'
import { assertLoopback, localInfra } from '../lib/local-infra.ts'
import { describeOptions, parseNumberOptions } from '../lib/parse-options.ts'
import { fetchMetrics, sumMetric } from '../lib/read-metric.ts'
import { createSecretScanner, type Secret } from '../lib/scan-secrets.ts'
import { commandLine, describeRun, writeResults } from '../lib/write-results.ts'
import { auditWritten } from './audit-written.ts'
import { fuzzFlags, fuzzOptions, fuzzUsage } from './fuzz-options.ts'
import { createFuzzTally } from './fuzz-tally.ts'
import { createHostileRequests } from './hostile-requests.ts'
import { runSchemathesis } from './run-schemathesis.ts'
import { sendHostile } from './send-hostile.ts'
import { goodBodies, sendControls } from './send-controls.ts'
import { productShedding } from '../lib/product-shedding.ts'

const say = (line: string): void => console.log(`bench:fuzz: ${line}`)

async function main(argv: string[]): Promise<number> {
  let parsed: ReturnType<typeof parseNumberOptions<keyof typeof fuzzOptions>>
  try {
    parsed = parseNumberOptions(argv, fuzzOptions, fuzzFlags)
  } catch (error) {
    console.error(
      `bench:fuzz: ${error instanceof Error ? error.message : String(error)}\n\n${fuzzUsage(describeOptions(fuzzOptions, fuzzFlags))}`,
    )
    return 2
  }
  if (parsed.help) {
    console.log(fuzzUsage(describeOptions(fuzzOptions, fuzzFlags)))
    return 0
  }
  const o = parsed.values
  const infra = localInfra()
  assertLoopback(infra)
  const header = await describeRun(commandLine('fuzz', argv))
  const began = performance.now()
  const prefix = `bench.fuzz.${Date.now()}`
  // Rate limits are off (ingest's default, said here on purpose) so that requests reach verification.
  // Every limit off, the failed-authentication budget too: from one address it would answer
  // most hostile requests 503 before reading them, and the point is to reach every parser.
  const env = {
    ...productShedding,
    INGEST_RATE_LIMIT_PER_SOURCE: '0',
    INGEST_RATE_LIMIT_PER_ADDRESS: '0',
    INGEST_AUTH_FAILURES_PER_ADDRESS: '0',
    LOG_LEVEL: 'info',
  }
  say(`starting ingest (topics ${prefix}.*; rate limits off)`)
  const ingest = await startIngestProcess(infra, prefix, env)
  // Interrupted (Ctrl-C, SIGTERM): exit through the 'exit' handler, which ends ingest (its topics stay; delete them by prefix).
  process.once('SIGINT', () => process.exit(130))
  process.once('SIGTERM', () => process.exit(143))
  process.once('exit', () => ingest.child().kill('SIGKILL'))
  const exits: string[] = []
  let stopping = false
  ingest.child().on('exit', (code, signal) => void (!stopping && exits.push(`exit ${code ?? ''}${signal ?? ''}`)))
  try {
    const receiver = {
      url: ingest.url,
      secret: ingest.secret,
      gen1Headers: { Authorization: `Bearer ${ingest.gen1Token}`, 'X-Webhook-Source': 'nudj-platform' },
    }
    const controls = await sendControls(receiver, o.controls, o.seed + 7)
    say(`${controls.acknowledged.length} of ${o.controls} control deliveries acknowledged`)

    const sent: Secret[] = []
    const url = new URL(ingest.url)
    const next = createHostileRequests({
      random: createRandom(o.seed),
      paths: [url.pathname, url.pathname.replace(/\/[^/]+$/, '')],
      secret: ingest.secret,
      goodBodies: goodBodies(200, o.seed),
      sent: (label, value) => void (value.length >= 12 && sent.push({ label, value })),
    })
    const tally = createFuzzTally()
    const sendBegan = performance.now()
    const progress = setInterval(() => {
      const t = tally.snapshot()
      const rate = Math.round(t.total / ((performance.now() - sendBegan) / 1000))
      const statuses = Object.entries(t.by_status)
        .map(([s, n]) => `${s}:${n}`)
        .join(' ')
      say(`${t.total}/${o.count} answered, ${rate}/s  ${statuses}  unexpected 5xx ${t.unexpected_5xx}`)
    }, 3000)
    const issued = await sendHostile({
      host: url.hostname,
      port: Number(url.port),
      count: o.count,
      concurrency: o.concurrency,
      timeoutMs: o.timeoutMs,
      deadline: Date.now() + o.maxSeconds * 1000,
      next,
      onAnswer: (request, answer) => tally.add(request.kind, answer),
      shouldStop: () => exits.length > 0,
    }).finally(() => clearInterval(progress))
    const sendSeconds = (performance.now() - sendBegan) / 1000
    const fuzz = tally.snapshot()
    say(`hostile requests done: ${fuzz.total} in ${sendSeconds.toFixed(1)} s`)
    const metrics = await fetchMetrics(ingest.opsUrl)

    const st = parsed.flags['no-schemathesis']
      ? { ran: false as const, reason: 'skipped (--no-schemathesis)', output_lines: [] }
      : await (async () => {
          say(`schemathesis: up to ${o.stExamples} examples per operation, ${o.stSeconds} s at most`)
          return await runSchemathesis({
            openApiUrl: `${ingest.opsUrl}/openapi.json`,
            baseUrl: url.origin,
            source: url.pathname.split('/').at(-1) ?? 'dev',
            maxExamples: o.stExamples,
            maxSeconds: o.stSeconds,
            seed: o.seed,
          })
        })()
    say(
      st.ran
        ? `schemathesis: ${st.requests} requests, ${JSON.stringify(st.by_status)}, ${st.failures} failing cases`
        : `schemathesis did not run: ${st.reason}`,
    )

    const live = (await fetch(`${ingest.opsUrl}/livez`, { signal: AbortSignal.timeout(5000) }).catch(() => undefined))?.ok === true
    const written = await auditWritten(infra.kafkaBrokers, prefix, controls.acknowledged)
    stopping = true
    const exitCode = exits.length === 0 ? await ingest.stop() : null

    const scanner = createSecretScanner([
      { label: 'gen-2 secret', value: ingest.secret },
      { label: 'gen-1 bearer token', value: ingest.gen1Token },
      ...controls.signatures.map((value) => ({ label: 'valid control signature', value })),
      ...sent,
    ])
    scanner.scan('ingest', ingest.logLines)
    scanner.scan('schemathesis', st.output_lines)
    const scan = scanner.result()

    const crashes = exits.length + (live || exits.length > 0 ? 0 : 1)
    const results = {
      ...header,
      seconds: { total: round((performance.now() - began) / 1000), hostile: round(sendSeconds), schemathesis: st.ran ? st.seconds : 0 },
      settings: { ...o, topic_prefix: prefix, ingest_env: env },
      total: fuzz.total,
      by_status: fuzz.by_status,
      unexpected_5xx: fuzz.unexpected_5xx + (st.ran ? st.unexpected_5xx : 0),
      crashes,
      unauthenticated_written: written.unauthenticated_written,
      secrets_in_logs: scan.found,
      deliberate_503: fuzz.deliberate_503,
      requests_per_s: round(fuzz.total / sendSeconds),
      by_kind: fuzz.by_kind,
      by_code: fuzz.by_code,
      unexpected_examples: fuzz.unexpected_examples,
      ingest: {
        exits_during_run: exits,
        live_at_end: live,
        exit_code_on_sigterm: exitCode,
        verification_failures: sumMetric(metrics, 'webhooks_ingest_verification_failures_total'),
        requests_counted: sumMetric(metrics, 'webhooks_ingest_requests_total'),
        log_lines: ingest.logLines.length,
      },
      controls: {
        sent: o.controls,
        acknowledged: controls.acknowledged.length,
        refused: controls.refused,
        missing_in_kafka: written.controls_missing,
        duplicated_in_kafka: written.controls_duplicated,
      },
      kafka: { topics: written.topics, rejection_audit_records: written.audit_records },
      schemathesis: st.ran ? { ...st, output_lines: undefined } : { ran: false, reason: st.reason },
      secret_scan: { ...scan },
    }
    const problems = [
      fuzz.total < o.count && `only ${fuzz.total} of ${o.count} requests were sent within --max-seconds`,
      results.unexpected_5xx > 0 && `${results.unexpected_5xx} unexpected 5xx answers`,
      crashes > 0 && `ingest crashed (${exits.join(', ') || 'not live at the end'})`,
      written.unauthenticated_written > 0 && `${written.unauthenticated_written} unauthenticated records written`,
      written.controls_missing > 0 && `${written.controls_missing} acknowledged controls missing from Kafka`,
      controls.refused.length > 0 && `${controls.refused.length} valid controls refused`,
      scan.found > 0 && `${scan.found} secrets or signatures in log lines`,
      exitCode !== null && exitCode !== 0 && `ingest exited ${exitCode} on SIGTERM`,
    ].filter((p): p is string => typeof p === 'string')
    const file = await writeResults('fuzz', { ...results, passed: problems.length === 0, problems, issued })
    say(`total ${fuzz.total}, by status ${JSON.stringify(fuzz.by_status)}`)
    say(
      `unexpected 5xx ${results.unexpected_5xx}, crashes ${crashes}, unauthenticated written ${written.unauthenticated_written}, secrets in logs ${scan.found} (${scan.lines} lines, ${scan.values} values)`,
    )
    say(`wrote ${file}`)
    for (const problem of problems) say(`FAILED: ${problem}`)
    return problems.length === 0 ? 0 : 1
  } finally {
    stopping = true
    if (ingest.child().exitCode === null && ingest.child().signalCode === null) await ingest.stop()
    if (!parsed.flags['keep-topics'])
      await deleteTopicsWithPrefix(infra.kafkaBrokers, prefix).catch((e: unknown) => say(`could not delete topics: ${String(e)}`))
  }
}

const round = (n: number): number => Math.round(n * 10) / 10

process.exitCode = await main(process.argv.slice(2)).catch((error: unknown) => {
  console.error('bench:fuzz failed:', error)
  return 1
})
