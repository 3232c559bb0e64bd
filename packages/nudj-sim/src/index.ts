export { AdminApiError, adminApiErrorCodes } from './admin-api-error.ts'
export type { AdminApiErrorCode } from './admin-api-error.ts'
export { isGen2Config } from './admin-api.ts'
export type {
  AdminAuth,
  ConfigsBodyShape,
  Gen1LogRecord,
  Gen1WebhookConfig,
  Gen2LogRecord,
  Gen2WebhookConfig,
  LogFilters,
  WebhookConfig,
  WebhookLogRecord,
} from './admin-api.ts'
export { createAdminClient } from './admin-client.ts'
export type { AdminClient, AdminClientOptions } from './admin-client.ts'
export { createAdminStandIn } from './admin-stand-in.ts'
export type { AdminStandIn, AdminStandInOptions } from './admin-stand-in.ts'
export { buildGen1Event, buildGen2Event, gen1Names, gen2Names } from './build-event.ts'
export type { EventContext, Gen1Name, Gen2Name, SimEvent } from './build-event.ts'
export { buildRequest } from './build-request.ts'
export type { Receiver } from './build-request.ts'
export { badRequestKinds, corruptRequest } from './corrupt-request.ts'
export type { BadRequestKind } from './corrupt-request.ts'
export { buildJourney, createEventStream } from './create-event-stream.ts'
export type { EventStreamOptions, Generation } from './create-event-stream.ts'
export { createRandom } from './create-random.ts'
export type { Random } from './create-random.ts'
export { createWorld } from './create-world.ts'
export type { SimAchievement, SimAction, SimChallenge, SimReward, SimUser, World, WorldOptions } from './create-world.ts'
export { deliver } from './deliver.ts'
export type { AttemptRecord, DeliverOptions, DeliveryRequest, DeliveryResult } from './deliver.ts'
export { planDeliveries } from './plan-deliveries.ts'
export type { PlanOptions, PlannedDelivery } from './plan-deliveries.ts'
export { gen1RetryPolicy, gen2RetryPolicy, retryDelayMs } from './retry-policy.ts'
export type { RetryPolicy } from './retry-policy.ts'
export { runSend } from './run-send.ts'
export type { SendOptions } from './run-send.ts'
export { formatSendReport } from './send-report.ts'
export type { SendReport } from './send-report.ts'
export { gen1Headers, gen2Headers, signGen2, standardWebhooksHeaders } from './sign-delivery.ts'
