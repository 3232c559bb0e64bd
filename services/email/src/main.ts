// The email service's composition root: configuration, start, graceful shutdown (runService).
import { describeConfig, packageVersion } from '@nudj-webhooks/config'
import { runService } from '@nudj-webhooks/observability'
import { emailEnvSchema, loadEmailConfig } from './config.ts'
import { startEmail } from './start-email.ts'

await runService({
  name: 'email',
  version: packageVersion(import.meta.url),
  summary: 'transactional emails for Nudj events over pooled SMTP, once per webhook.',
  configHelp: describeConfig(emailEnvSchema),
  loadConfig: loadEmailConfig,
  start: startEmail,
  hint: 'are Postgres, Kafka and the schema registry reachable?',
  stopping: 'stop the API, finish in-flight sends, commit, disconnect',
})
