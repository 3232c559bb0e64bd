import type { NumberOption } from '../lib/parse-options.ts'

export const faultsOptions = {
  count: { flag: 'count', default: 100_000, min: 100, max: 1_000_000, help: 'webhooks (events) to send; redeliveries come on top' },
  rate: { flag: 'rate', default: 150, min: 1, max: 5000, help: 'requests per second the simulator aims at' },
  concurrency: { flag: 'concurrency', default: 64, min: 1, max: 1000, help: 'deliveries in flight at most (waiting retries included)' },
  duplicates: { flag: 'duplicates-percent', default: 10, min: 0, max: 100, help: 'share of events Nudj delivers a second time' },
  reorder: { flag: 'reorder-percent', default: 20, min: 0, max: 100, help: 'share of events sent out of order' },
  seed: { flag: 'seed', default: 1, min: 0, max: 2 ** 31 - 1, help: 'seed of the traffic and of the fault moments' },
  partitions: { flag: 'partitions', default: 3, min: 1, max: 24, help: 'partitions of every topic' },
  outage: { flag: 'outage-seconds', default: 5, min: 0, max: 120, help: 'how long the broker and Postgres stay down' },
  drain: { flag: 'drain-seconds', default: 600, min: 10, max: 3600, help: 'longest wait for the consumers to catch up after the send' },
  maxSeconds: { flag: 'max-seconds', default: 1800, min: 30, max: 7200, help: 'the send is aborted after this (the run stays bounded)' },
} satisfies Record<string, NumberOption>

export const faultsFlags = { 'keep-logs': 'also write every process log line to bench/.build/faults-*.log' }

export function faultsUsage(options: string): string {
  return `Usage: pnpm bench:faults [options]

Zero loss under faults across the whole pipeline: the simulator sends webhooks of both
generations (duplicates, reordering) through ingest and the analytics, email and
notifications consumers, all on a disposable Kafka broker, Postgres and Mailpit of the
suite's own (loopback only; the shared stack is left alone but for its schema registry),
while ingest and each consumer are SIGKILLed and restarted and the broker and Postgres are
stopped and started, each once at a seeded random moment. Then it audits: every acknowledged
webhook is in Kafka, the analytics projection equals the suite's own computation, one email
and one inbox row per routed webhook, every DLQ record explained, no secret in any log line.
Writes bench/results/faults.json; exits 1 when an invariant fails.

Options:
${options}`
}
