import type { NumberOption } from '../lib/parse-options.ts'

export const failoverOptions = {
  rate: { flag: 'rate', default: 100, min: 1, max: 5000, help: 'deliveries per second sent by the simulator' },
  before: { flag: 'before', default: 20, min: 1, max: 300, help: 'seconds of load before the kill' },
  during: { flag: 'during', default: 30, min: 1, max: 300, help: "seconds after the kill counted as 'during'" },
  hang: {
    flag: 'hang',
    default: 0,
    min: 0,
    max: 60,
    help: 'seconds the victim hangs (SIGSTOP) before the kill, so requests are in flight to it when it dies',
  },
  after: { flag: 'after', default: 20, min: 0, max: 300, help: 'seconds of load after that' },
  concurrency: { flag: 'concurrency', default: 64, min: 1, max: 1024, help: 'deliveries open at once at most' },
  partitions: { flag: 'partitions', default: 6, min: 1, max: 64, help: 'partitions of each topic' },
  seed: { flag: 'seed', default: 1, min: 0, max: 2 ** 31 - 1, help: 'seed of the simulated events' },
} satisfies Record<string, NumberOption>

export const failoverFlags = { 'kill-partition-leader': 'kill the node leading most partitions instead of the active controller' }

export const failoverUsage = (options: string): string => `usage: pnpm bench:failover [options]

Starts a three-node Kafka 4.1.1 KRaft cluster (each node broker and controller) as local
processes on loopback, creates ingest's topics with replication 3 and min.insync.replicas 2,
runs ingest against it (the shared schema registry for schemas), sends simulated Nudj traffic
at --rate (retrying 5xx as Nudj does), SIGKILLs the active controller after --before seconds
(hung first for --hang seconds, if given),
keeps sending for --during and --after seconds, then reads every topic back: every
acknowledged webhook must be stored (lost 0), every delivery must end in a 2xx (failed 0),
no secret may appear in any log line. Exits 1 when one fails. Writes bench/results/failover.json.
Everything it starts is stopped and its temporary directory deleted, also on failure.

${options}`
