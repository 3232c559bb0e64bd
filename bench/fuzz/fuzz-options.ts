import type { NumberOption } from '../lib/parse-options.ts'

export const fuzzOptions = {
  count: { flag: 'count', default: 100_000, min: 1, max: 2_000_000, help: 'hostile requests to send' },
  concurrency: { flag: 'concurrency', default: 32, min: 1, max: 512, help: 'connections sending at once' },
  maxSeconds: { flag: 'max-seconds', default: 240, min: 5, max: 1800, help: 'stop sending after this long even if --count is not reached' },
  timeoutMs: { flag: 'timeout-ms', default: 15_000, min: 100, max: 120_000, help: 'longest wait for one answer' },
  controls: {
    flag: 'controls',
    default: 10,
    min: 0,
    max: 1000,
    help: 'valid deliveries sent first, which must be the only records stored',
  },
  seed: { flag: 'seed', default: 1, min: 0, max: 2 ** 31 - 1, help: 'seed of the hostile mix' },
  stExamples: { flag: 'schemathesis-examples', default: 50, min: 1, max: 10_000, help: 'schemathesis examples per operation' },
  stSeconds: { flag: 'schemathesis-seconds', default: 45, min: 1, max: 600, help: "schemathesis's time budget" },
} satisfies Record<string, NumberOption>

export const fuzzFlags = { 'no-schemathesis': 'skip the schema-driven part', 'keep-topics': "keep the run's topics on the broker" }

export const fuzzUsage = (options: string): string => `usage: pnpm bench:fuzz [options]

Hostile input against a real ingest process on loopback: at least --count malformed requests
(random bytes, broken JSON, deep nesting, huge numbers and strings, invalid UTF-8,
prototype-pollution keys, wrong, malformed and truncated signatures, wrong gen-1 credentials,
header floods, slow and truncated bodies, oversize bodies, bad framing, wrong methods, media
types and paths), then schemathesis against ingest's OpenAPI description. Checks: no 5xx but
deliberate 503s, no crash, nothing unauthenticated stored, no secret in any log line; exits 1
when one fails. Writes bench/results/fuzz.json. Needs the local stack (Kafka and registry).

${options}`
