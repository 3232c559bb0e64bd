// Every metric name the Prometheus rules and the Grafana dashboards read exists in the real
// /metrics output of the services that should expose it: the four services run as
// processes (as in production) against the real stack, with traffic from the simulator so
// that labelled series appear, and their /metrics pages are scraped.
//
// A name counts as present when the service registered it: prom-client prints `# TYPE` for
// every registered metric, samples or not. On top of that, the series the alerts rest on
// must carry samples once traffic has flowed (ingest's requests, verification failures,
// latency histograms; each consumer's messages, lag and commits).
//
// A consumer service whose src/main.ts does not exist fails here, saying so: this check is
// never skipped.
import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import {
  createFreshDatabase,
  freePort,
  infraToEnv,
  startIngestProcess,
  startServiceProcess,
  uniqueName,
  waitFor,
  type FreshDatabase,
  type IngestProcess,
  type ServiceProcess,
} from '@nudj-webhooks/testing'
import { repoRoot, runTool } from './deploy-tools.ts'
import { baseMetricName, dashboardExpressions, loadRules, metricNames } from './metric-names.ts'

const infra = inject('infra')
const consumers = ['analytics', 'email', 'notifications'] as const
type Consumer = (typeof consumers)[number]

// Names no service exposes, on purpose: Prometheus's own `up` (scrape health).
const fromPrometheus = new Set(['up'])

const rules = loadRules()
const recorded = new Set(rules.flatMap((g) => g.rules.map((r) => r.record).filter((r): r is string => r !== undefined)))
const used = new Map<string, Set<string>>()
const note = (name: string, where: string): void => void used.set(name, (used.get(name) ?? new Set()).add(where))
for (const group of rules) for (const rule of group.rules) for (const name of metricNames(rule.expr)) note(name, 'rules.yml')
for (const { file, expr } of dashboardExpressions()) for (const name of metricNames(expr)) note(name, file)
const required = [...used.keys()].filter((n) => !recorded.has(n) && !fromPrometheus.has(n))

/** Which services must expose a name: their own prefix, the runtime's in every consumer, process metrics in all. */
function owners(name: string): string[] {
  if (/^webhooks_(process|nodejs)_/.test(name)) return ['ingest', ...consumers]
  if (name.startsWith('webhooks_consumer_')) return [...consumers]
  const service = /^webhooks_([a-z]+)_/.exec(name)?.[1]
  if (service && ['ingest', ...consumers].includes(service)) return [service]
  return []
}

/** The metric names a /metrics page registers (`# TYPE` lines) and the series that have samples. */
async function scrape(opsUrl: string): Promise<{ registered: Set<string>; sampled: string[]; text: string }> {
  const text = await (await fetch(`${opsUrl}/metrics`)).text()
  const registered = new Set([...text.matchAll(/^# TYPE (\S+) \S+$/gm)].map((m) => m[1]!))
  const sampled = text.split('\n').filter((l) => l !== '' && !l.startsWith('#'))
  return { registered, sampled, text }
}

const topicPrefix = uniqueName('deploymetrics')
let ingest: IngestProcess | undefined
const running = new Map<Consumer, { process: ServiceProcess; group: string }>()
const databases: FreshDatabase[] = []

// 180 s: more than a service process's own 60 s readiness wait, whose error says what went wrong.
beforeAll(async () => {
  ingest = await startIngestProcess(infra, topicPrefix, { KAFKA_TOPIC_PARTITIONS: '1' })
  // Good deliveries of both generations plus bad ones (wrong secret, tampered body, ...).
  const sent = await runTool(
    process.execPath,
    [
      join(repoRoot, 'packages/nudj-sim/bin/nudj-sim.ts'),
      'send',
      '--url',
      ingest.url,
      '--count',
      '40',
      '--rate',
      '200',
      '--bad',
      '0.25',
      '--seed',
      '7',
      '--json',
    ],
    repoRoot,
    { ...process.env, NUDJ_SIM_SECRET: ingest.secret, NUDJ_SIM_GEN1_TOKEN: ingest.gen1Token },
  )
  expect(sent.code, sent.stderr).toBe(0)
}, 180_000)

afterAll(async () => {
  await Promise.all([...running.values()].map(({ process }) => process.stop()))
  await ingest?.stop()
  await Promise.all(databases.map((d) => d.drop()))
})

it('the rules and dashboards read metrics at all (the extraction found them)', () => {
  expect(required.length).toBeGreaterThan(30)
  for (const name of required)
    expect(owners(name), `${name} (used in ${[...used.get(name)!].join(', ')}) belongs to no service`).not.toEqual([])
})

describe('ingest', () => {
  it('registers every webhooks_ingest_* and process metric the rules and dashboards use', async () => {
    const { registered } = await scrape(ingest!.opsUrl)
    const missing = required.filter((n) => owners(n).includes('ingest') && !registered.has(baseMetricName(n)) && !registered.has(n))
    expect(missing, 'missing from ingest /metrics').toEqual([])
  })

  it('has samples for the series the ingest alerts rest on, after good and bad deliveries', async () => {
    const { sampled } = await scrape(ingest!.opsUrl)
    const has = (pattern: RegExp): boolean => sampled.some((l) => pattern.test(l))
    expect(has(/^webhooks_ingest_requests_total\{.*outcome="ACCEPTED".*\} [1-9]/)).toBe(true)
    expect(has(/^webhooks_ingest_verification_failures_total\{.*reason="[A-Z_]+".*\} [1-9]/)).toBe(true)
    expect(has(/^webhooks_ingest_request_duration_seconds_bucket\{.*outcome="ACCEPTED".*\} [1-9]/)).toBe(true)
    expect(has(/^webhooks_ingest_produce_duration_seconds_bucket\{/)).toBe(true)
    expect(has(/^webhooks_ingest_records_total\{category="[a-z]+".*\} [1-9]/)).toBe(true)
    expect(has(/^webhooks_process_cpu_seconds_total\{service="ingest"\}/)).toBe(true)
  })
})

describe.each(consumers)('%s', (service) => {
  it(
    `runs from services/${service}/src/main.ts and registers every metric the rules and dashboards use for it`,
    { timeout: 90_000 },
    async () => {
      const main = join(repoRoot, 'services', service, 'src/main.ts')
      if (!existsSync(main)) throw new Error(`services/${service}/src/main.ts does not exist yet: this check needs the ${service} service`)
      const database = await createFreshDatabase(infra.databaseUrl, `deploy_${service}`)
      databases.push(database)
      const group = uniqueName(`deploy_${service}`)
      const upper = service.toUpperCase()
      const [port, opsPort] = [await freePort(), await freePort()]
      const process = await startServiceProcess({
        service,
        opsPort,
        env: {
          ...infraToEnv(infra),
          DATABASE_URL: database.url,
          KAFKA_TOPIC_PREFIX: topicPrefix,
          KAFKA_TOPIC_PARTITIONS: '1',
          CONSUMER_GROUP: group,
          [`${upper}_RETRY_SCHEDULE`]: '1s,2s',
          [`${upper}_HOST`]: '127.0.0.1',
          [`${upper}_PORT`]: String(port),
          [`${upper}_OPS_PORT`]: String(opsPort),
          LOG_LEVEL: 'warn',
          ...(service === 'notifications' ? { NOTIFICATIONS_TOKEN_SECRET: randomBytes(32).toString('base64url') } : {}),
        },
      })
      running.set(service, { process, group })

      // The group reads what ingest stored: its messages, lag and commits appear.
      await waitFor(
        async () => {
          const { sampled } = await scrape(process.opsUrl)
          return [
            'webhooks_consumer_messages_total',
            'webhooks_consumer_lag_messages',
            'webhooks_consumer_last_commit_timestamp_seconds',
          ].every((name) => sampled.some((l) => l.startsWith(`${name}{`) && l.includes(`group="${group}"`)))
        },
        { timeoutMs: 45_000, intervalMs: 500, message: `${service} (group ${group}) showed no messages, lag or commits` },
      )
      const { registered } = await scrape(process.opsUrl)
      const missing = required.filter((n) => owners(n).includes(service) && !registered.has(baseMetricName(n)) && !registered.has(n))
      expect(missing, `missing from ${service} /metrics`).toEqual([])
    },
  )
})
