// The ingest service's composition root: configuration, start, graceful shutdown (runService).
import { describeConfig, packageVersion } from '@nudj-webhooks/config'
import { runService } from '@nudj-webhooks/observability'
import { ingestEnvSchema, loadIngestConfig } from './config.ts'
import { startIngest } from './start-ingest.ts'

await runService({
  name: 'ingest',
  version: packageVersion(import.meta.url),
  summary: "receives Nudj's webhooks and writes them to Kafka.",
  configHelp: describeConfig(ingestEnvSchema),
  loadConfig: loadIngestConfig,
  start: startIngest,
  hint: 'is Kafka reachable? the schema registry?',
  stopping: 'stop accepting, answer in-flight requests, flush Kafka, disconnect',
})
