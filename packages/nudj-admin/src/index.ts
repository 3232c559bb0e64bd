export { AdminApiError, adminApiErrorCodes } from './admin-api-error.ts'
export type { AdminApiErrorCode } from './admin-api-error.ts'
export { isGen2Config } from './admin-api.ts'
export type {
  AdminAuth,
  ConfigsBodyShape,
  Gen1LogRecord,
  Gen1WebhookConfig,
  Gen2DeliveryStatus,
  Gen2LogRecord,
  Gen2WebhookConfig,
  LogFilters,
  WebhookConfig,
  WebhookLogRecord,
} from './admin-api.ts'
export { createAdminClient } from './admin-client.ts'
export type { AdminClient, AdminClientOptions } from './admin-client.ts'
export { UsageError } from './command-io.ts'
export type { CommandIo } from './command-io.ts'
export { describeFetchError } from './describe-fetch-error.ts'
export { redactHeaders } from './redact-headers.ts'
export { validateConfigs } from './validate-configs.ts'
export { runWebhooksCommand } from './webhooks-command.ts'
