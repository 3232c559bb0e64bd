// The console's composition root: configuration, start, graceful shutdown (runService).
import { describeConfig, packageVersion } from '@nudj-webhooks/config'
import { runService } from '@nudj-webhooks/observability'
import { consoleEnvSchema, loadConsoleConfig } from './config.ts'
import { startConsole } from './start-console.ts'

await runService({
  name: 'console',
  version: packageVersion(import.meta.url),
  summary: "the operators' console (live tail, search, a webhook's story, groups, DLQ redrive, replay).",
  configHelp: describeConfig(consoleEnvSchema),
  loadConfig: loadConsoleConfig,
  start: startConsole,
  hint: 'is Kafka reachable? the topology file readable?',
  stopping: 'close the page streams and the listener, leave the tail, disconnect',
})
