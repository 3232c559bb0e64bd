import { Counter, Gauge, Histogram, type Registry } from 'prom-client'

/** What ingest tells Prometheus. Labels stay bounded: sources come from config, never from requests. */
export function createIngestMetrics(registry: Registry) {
  const registers = [registry]
  return {
    requests: new Counter({
      name: 'webhooks_ingest_requests_total',
      help: 'Requests by source and outcome (the answer code)',
      labelNames: ['source', 'outcome'],
      registers,
    }),
    requestDuration: new Histogram({
      name: 'webhooks_ingest_request_duration_seconds',
      help: 'Time from request to answer',
      labelNames: ['outcome'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    produceDuration: new Histogram({
      name: 'webhooks_ingest_produce_duration_seconds',
      help: "Time from a record's enqueue to Kafka's acknowledgement",
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    payloadBytes: new Histogram({
      name: 'webhooks_ingest_payload_bytes',
      help: 'Size of request bodies',
      buckets: [256, 1024, 4096, 16384, 65536, 262144, 1048576],
      registers,
    }),
    verificationFailures: new Counter({
      name: 'webhooks_ingest_verification_failures_total',
      help: 'Requests that failed authentication, by reason',
      labelNames: ['source', 'reason'],
      registers,
    }),
    verified: new Counter({
      name: 'webhooks_ingest_verified_total',
      help: 'Requests authenticated, by scheme and the secret id that verified (to follow a rotation)',
      labelNames: ['source', 'scheme', 'secret_id'],
      registers,
    }),
    records: new Counter({
      name: 'webhooks_ingest_records_total',
      help: 'Records acknowledged by Kafka, by category',
      labelNames: ['category'],
      registers,
    }),
    batchRecords: new Histogram({
      name: 'webhooks_ingest_batch_records',
      help: 'Records per produce request',
      buckets: [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000],
      registers,
    }),
    producerReplacements: new Counter({
      name: 'webhooks_ingest_producer_replacements_total',
      help: 'Kafka producers replaced (new producer id) after a failed or stalled batch, by the error that caused it',
      labelNames: ['reason'],
      registers,
    }),
    inFlight: new Gauge({ name: 'webhooks_ingest_in_flight_requests', help: 'Requests being handled', registers }),
    shed: new Counter({
      name: 'webhooks_ingest_shed_total',
      help: 'Requests answered 503 to shed load or rate-limit, by reason',
      labelNames: ['reason'],
      registers,
    }),
    replays: new Counter({
      name: 'webhooks_ingest_replays_total',
      help: 'Signed bodies accepted before under another webhook id, answered as duplicates and not stored again',
      labelNames: ['source'],
      registers,
    }),
    replayWindowEntries: new Gauge({
      name: 'webhooks_ingest_replay_window_entries',
      help: 'Signed bodies remembered to recognise a replay under a new delivery id',
      registers,
    }),
    replayWindowEvictions: new Counter({
      name: 'webhooks_ingest_replay_window_evictions_total',
      help: 'Signed bodies forgotten before their window ended because the record was full (raise INGEST_REPLAY_WINDOW_ENTRIES)',
      registers,
    }),
    auditDropped: new Counter({
      name: 'webhooks_ingest_audit_dropped_total',
      help: 'Rejections not recorded on the audit topic (rate limit or failure)',
      registers,
    }),
  }
}

export type IngestMetrics = ReturnType<typeof createIngestMetrics>
