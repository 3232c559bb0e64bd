import type { NumberOption } from '../lib/parse-options.ts'

export const soakOptions = {
  rate: {
    flag: 'rate',
    default: 0,
    min: 0,
    max: 5000,
    help: 'webhooks per second, steady; 0 measures the peak first and soaks at half of it',
  },
  probeSeconds: { flag: 'probe-seconds', default: 30, min: 5, max: 600, help: 'seconds of each step of the peak probe' },
  probeLag: {
    flag: 'probe-lag-seconds',
    default: 5,
    min: 1,
    max: 600,
    help: 'a probe step is held when no consumer ends it further behind than this much traffic',
  },
  sample: { flag: 'sample-seconds', default: 30, min: 1, max: 600, help: 'seconds between RSS samples' },
  concurrency: { flag: 'concurrency', default: 64, min: 1, max: 1000, help: 'deliveries in flight at most' },
  partitions: { flag: 'partitions', default: 3, min: 1, max: 24, help: 'partitions of every topic' },
  seed: { flag: 'seed', default: 1, min: 0, max: 2 ** 31 - 1, help: 'seed of the traffic' },
  drain: { flag: 'drain-seconds', default: 300, min: 10, max: 3600, help: 'longest wait for the consumers to catch up at the end' },
} satisfies Record<string, NumberOption>

/** `--duration 30m` (also `90s`, `1h`, or plain seconds), taken out of argv before the number options are read. */
export function takeDuration(argv: string[], fallbackSeconds: number): { seconds: number; rest: string[] } {
  const rest = [...argv]
  const at = rest.findIndex((a) => a === '--duration' || a.startsWith('--duration='))
  if (at < 0) return { seconds: fallbackSeconds, rest }
  const [flag] = rest.splice(at, 1)
  const text = flag!.includes('=') ? flag!.slice(flag!.indexOf('=') + 1) : rest.splice(at, 1)[0]
  const match = /^(\d+)(s|m|h)?$/.exec(text ?? '')
  if (!match) throw new Error(`--duration must look like 30m, 90s or 1h, got ${text ?? 'nothing'}`)
  const seconds = Number(match[1]) * ({ s: 1, m: 60, h: 3600 } as Record<string, number>)[match[2] ?? 's']!
  if (seconds < 30 || seconds > 6 * 3600) throw new Error('--duration must be from 30s to 6h')
  return { seconds, rest }
}

export function soakUsage(options: string): string {
  return `Usage: pnpm bench:soak [--duration 30m] [options]

Soak: the whole pipeline (ingest, analytics, email, notifications as processes, on a
disposable Kafka broker, Postgres and Mailpit of the suite's own, loopback only) under the
simulator's steady traffic for --duration (default 30m) at half the pipeline's measured
peak: unless --rate is given, it first sends 25, 50, 100, 200, 400, 800 and 1600 webhooks/s
for --probe-seconds each, stopping at the first rate not held (a non-2xx answer, the sender
under 95 % of the rate, or a consumer more than --probe-lag-seconds of traffic behind), and
soaks at half the highest rate held. It samples the resident memory
(VmRSS) of every process every --sample-seconds, written as it goes to
bench/.build/soak-rss.jsonl. Reports rss_mb_start, rss_mb_end and rss_mb_max per process and
for the worst one, growth and slope; scans every log line for secrets. Writes
bench/results/soak.json; exits 1 when a delivery failed, the consumers did not catch up,
a process died or a secret was logged.

Options:
  --${'duration D'.padEnd(26)}how long the traffic runs (default 30m; 30s..6h)
${options}`
}
