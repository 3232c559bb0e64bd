// The notifications service's composition root: configuration, start, graceful shutdown (runService).
import { describeConfig, packageVersion } from '@nudj-webhooks/config'
import { runService } from '@nudj-webhooks/observability'
import { loadNotificationsConfig, notificationsEnvSchema } from './config.ts'
import { startNotifications } from './start-notifications.ts'

await runService({
  name: 'notifications',
  version: packageVersion(import.meta.url),
  summary: 'live notifications (SSE), an inbox and operator chat alerts from Nudj events.',
  configHelp: describeConfig(notificationsEnvSchema),
  loadConfig: loadNotificationsConfig,
  start: startNotifications,
  hint: 'is Postgres reachable? Kafka? the schema registry?',
  stopping: 'close streams, finish the batch in hand, commit, leave the group, disconnect',
})
