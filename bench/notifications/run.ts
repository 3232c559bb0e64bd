// The notifications benchmark: end-to-end latency from the POST to ingest to the SSE event
// (200 and 1,000 webhooks/s), then how many SSE connections one replica holds and its memory.
// Ingest and notifications run as their own processes against the local stack.
import { writeFile } from 'node:fs/promises'
import { loadavg } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { createWorld } from '@nudj-webhooks/nudj-sim'
import {
  createFreshDatabase,
  freePort,
  infraToEnv,
  loadStackConfig,
  localStackInfra,
  startIngestProcess,
  startServiceProcess,
  uniqueName,
} from '@nudj-webhooks/testing'
import { signUserToken } from '../../services/notifications/src/user-token.ts'
import { describeMachine } from '../ingest/describe-machine.ts'
import { openManyStreams } from './count-sse-capacity.ts'
import { openSse } from './open-sse.ts'
import { sendPaced } from './send-paced.ts'
import { productShedding } from '../lib/product-shedding.ts'

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '20' },
    rates: { type: 'string', default: '50,200,1000' },
    users: { type: 'string', default: '200' },
    'max-streams': { type: 'string', default: '10000' },
    help: { type: 'boolean', default: false },
  },
})
if (values.help) {
  console.log(
    'usage: pnpm bench:notifications [--seconds 20] [--rates 50,200,1000] [--users 200] [--max-streams 10000]\n\n' +
      'End-to-end latency from the POST to ingest to the SSE event at each rate, and how many SSE connections one replica\n' +
      'holds with its memory. Method: bench/notifications/README.md; results: bench/results/notifications.json.',
  )
  process.exit(0)
}
const seconds = Number(values.seconds)
const rates = values.rates.split(',').map(Number)
const maxStreams = Number(values['max-streams'])
const say = (line: string): void => console.log(`bench:notifications: ${line}`)

const percentile = (list: number[], q: number): number => {
  if (list.length === 0) return 0
  const sorted = [...list].sort((a, b) => a - b)
  return Math.round((sorted[Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length))) - 1] ?? 0) * 10) / 10
}

async function rssMb(opsUrl: string): Promise<number> {
  const text = await (await fetch(`${opsUrl}/metrics`)).text()
  const bytes = Number(/^webhooks_process_resident_memory_bytes(?:\{[^}]*\})? (\d+)/m.exec(text)?.[1] ?? 0)
  return Math.round(bytes / 1024 ** 2)
}

const infra = localStackInfra(loadStackConfig(repoRoot))
const database = await createFreshDatabase(infra.databaseUrl, 'bench_ntf')
const topicPrefix = uniqueName('bench_ntf')
const secret = Buffer.from(`bench-${uniqueName('secret')}-0123456789abcdef`)
const tokenFor = (userId: string): string => signUserToken(secret, userId, 3600)
const [port, opsPort] = [await freePort(), await freePort()]
say(`starting ingest and notifications (topics ${topicPrefix}.*)`)
const ingest = await startIngestProcess(infra, topicPrefix, { ...productShedding, LOG_LEVEL: 'warn' })
const service = await startServiceProcess({
  service: 'notifications',
  opsPort,
  env: {
    ...infraToEnv(infra),
    DATABASE_URL: database.url,
    KAFKA_TOPIC_PREFIX: topicPrefix,
    CONSUMER_GROUP: uniqueName('bench_notifications'),
    NOTIFICATIONS_TOKEN_SECRET: secret.toString(),
    NOTIFICATIONS_HOST: '127.0.0.1',
    NOTIFICATIONS_PORT: String(port),
    NOTIFICATIONS_OPS_PORT: String(opsPort),
    NOTIFICATIONS_MAX_STREAMS: String(maxStreams + 1000),
    // Every stream of the benchmark comes from this one address.
    NOTIFICATIONS_MAX_STREAMS_PER_ADDRESS: String(maxStreams + 1000),
    LOG_LEVEL: 'warn',
  },
})
const baseUrl = `http://127.0.0.1:${port}`
const results: Record<string, unknown> = {}
try {
  const world = createWorld({ seed: 42, users: Number(values.users) })
  const received = new Map<string, number>()
  // From the consumer's transaction start (the row's created_at) to receipt, to split the latency.
  const txStarted = new Map<string, number>()
  const streams = await Promise.all(
    world.users.map(
      async (u) =>
        await openSse(`${baseUrl}/v1/users/${u.id}/notifications/stream`, tokenFor(u.id), (data) => {
          const { webhookId, createdAt } = JSON.parse(data) as { webhookId: string; createdAt: string }
          if (!received.has(webhookId)) received.set(webhookId, performance.now())
          if (!txStarted.has(webhookId)) txStarted.set(webhookId, Date.now() - Date.parse(createdAt))
        }),
    ),
  )
  say(`${streams.filter((s) => s.status === 200).length} SSE clients connected, one per user`)
  // Warm-up (not measured): topics, the group, JIT, connection pools.
  await sendPaced({ world, users: world.users, receiver: ingest, rate: 50, seconds: 3 })
  await new Promise((resolve) => setTimeout(resolve, 2000))

  for (const rate of rates) {
    say(`${rate}/s for ${seconds} s`)
    const run = await sendPaced({ world, users: world.users, receiver: ingest, rate, seconds })
    const deadline = performance.now() + 15_000
    while (performance.now() < deadline && [...run.startedAt.keys()].some((id) => !received.has(id)))
      await new Promise((resolve) => setTimeout(resolve, 100))
    const latencies = [...run.startedAt].flatMap(([id, start]) => (received.has(id) ? [received.get(id)! - start] : []))
    const missing = run.startedAt.size - latencies.length
    const fromTx = [...run.startedAt.keys()].flatMap((id) => (txStarted.has(id) ? [txStarted.get(id)!] : []))
    // The rest of each one's latency: ingest, Kafka and the consumer's wait before its transaction;
    // from ingest's answer on, the consumer's wait alone (negative when ingest answered late).
    const toTx = [...run.startedAt].flatMap(([id, start]) =>
      received.has(id) && txStarted.has(id) ? [received.get(id)! - start - txStarted.get(id)!] : [],
    )
    const ackToTx = [...run.ackedAt].flatMap(([id, acked]) =>
      received.has(id) && txStarted.has(id) ? [received.get(id)! - acked - txStarted.get(id)!] : [],
    )
    const figures = {
      sent: run.sent,
      achieved_rate: run.achievedRate,
      ingest_refused_or_failed: run.failed,
      ingest_duplicates: run.duplicates,
      received: latencies.length,
      missing,
      e2e_p50_ms: percentile(latencies, 0.5),
      e2e_p99_ms: percentile(latencies, 0.99),
      e2e_max_ms: percentile(latencies, 1),
      ingest_ack_p50_ms: percentile(run.ackMs, 0.5),
      ingest_ack_p99_ms: percentile(run.ackMs, 0.99),
      post_to_tx_start_p50_ms: percentile(toTx, 0.5),
      post_to_tx_start_p99_ms: percentile(toTx, 0.99),
      ack_to_tx_start_p50_ms: percentile(ackToTx, 0.5),
      ack_to_tx_start_p99_ms: percentile(ackToTx, 0.99),
      tx_start_to_sse_p50_ms: percentile(fromTx, 0.5),
      tx_start_to_sse_p99_ms: percentile(fromTx, 0.99),
    }
    say(JSON.stringify(figures))
    results[`e2e_p50_ms_${rate}`] = figures.e2e_p50_ms
    results[`e2e_p99_ms_${rate}`] = figures.e2e_p99_ms
    results[`run_${rate}`] = figures
  }
  for (const s of streams) s.close()

  say(`opening up to ${maxStreams} SSE connections`)
  const rssBefore = await rssMb(service.opsUrl)
  const many = await openManyStreams({ baseUrl, limit: maxStreams, wave: 250, tokenFor, say })
  await new Promise((resolve) => setTimeout(resolve, 3000))
  const rss = await rssMb(service.opsUrl)
  results.sse_connections = many.open.length
  results.rss_mb = rss
  results.rss_mb_before_streams = rssBefore
  results.sse_stopped_by = many.stoppedBy ?? `the bound (${maxStreams})`
  say(`${many.open.length} streams open, RSS ${rss} MB (${rssBefore} MB before)`)
  for (const s of many.open) s.close()
} finally {
  await service.stop()
  await ingest.stop()
  await database.drop()
}

const output = {
  ...results,
  date: new Date().toISOString(),
  machine: { ...(await describeMachine()), load_avg_1m_at_end: Math.round((loadavg()[0] ?? 0) * 10) / 10 },
  method:
    `ingest and notifications as processes on loopback (6 partitions, default config); ${values.users} SSE clients (one per user) ` +
    `in the bench process; signed gen-2 POSTs of user-facing events for random users, paced at each rate for ${seconds} s after ` +
    'a 3 s warm-up; latency = SSE receipt (matched by webhook id) minus POST start; ingest_ack = the POST answer (Kafka acks=all). ' +
    `Then SSE connections opened in waves of 250 up to ${maxStreams}, each a distinct user; RSS from the service's process metrics.`,
}
await writeFile(join(repoRoot, 'bench', 'results', 'notifications.json'), `${JSON.stringify(output, null, 2)}\n`)
say('wrote bench/results/notifications.json')
