// The analytics service's composition root: configuration, start, graceful shutdown (runService).
import { describeConfig, packageVersion } from '@nudj-webhooks/config'
import { runService } from '@nudj-webhooks/observability'
import { analyticsEnvSchema, loadAnalyticsConfig } from './config.ts'
import { startAnalytics } from './start-analytics.ts'

await runService({
  name: 'analytics',
  version: packageVersion(import.meta.url),
  summary: 'projects every Nudj event into Postgres and serves the query API.',
  configHelp: describeConfig(analyticsEnvSchema),
  loadConfig: loadAnalyticsConfig,
  start: startAnalytics,
  hint: 'is Kafka reachable? Postgres? the schema registry?',
  stopping: 'stop the query API, commit the batch in hand, leave the group, close Postgres',
})
