export { createBatchingProducer } from './create-batching-producer.ts'
export type { BatchingProducer, BatchingProducerOptions, OutgoingRecord } from './create-batching-producer.ts'
export { createDurableProducer } from './create-durable-producer.ts'
export { kafkajsProducerDriver } from './create-kafkajs-producer-driver.ts'
export { platformaticProducerDriver } from './create-platformatic-producer-driver.ts'
export { fetchMaxMessageBytes } from './fetch-max-message-bytes.ts'
export { recordBytes } from './producer-driver.ts'
export type { Compression, CreateProducerDriver, ProduceRecord, ProducerDriver, ProducerDriverOptions } from './producer-driver.ts'
export { createKafkaClient } from './create-kafka-client.ts'
export type { KafkaClientOptions } from './create-kafka-client.ts'
export { ensureGroupTopics } from './ensure-group-topics.ts'
export type { GroupTopicsOptions } from './ensure-group-topics.ts'
export { ensureTopics } from './ensure-topics.ts'
export type { TopicSpec } from './ensure-topics.ts'
export { DependencyDownError, dispositionOf, FatalError, RetryableError } from './errors.ts'
export type { Disposition } from './errors.ts'
export { dlqTopicName, formatDelay, provenanceHeaders, retryGroupId, retryTopicName } from './group-topics.ts'
export { createPostgresLedger } from './create-postgres-ledger.ts'
export type { Claim, PostgresLedger } from './create-postgres-ledger.ts'
export type {
  BatchHandler,
  ConsumerDefinition,
  ConsumerDeps,
  ConsumerMessage,
  ConsumerOptions,
  Effect,
  Handler,
  HandlerContext,
} from './consumer-types.ts'
export { runConsumer } from './run-consumer.ts'
export { retryCoordinator } from './ops/retry-coordinator.ts'
export {
  defaultTopologyFile,
  loadTopology,
  parseRetrySchedule,
  parseTopology,
  readGroupTopology,
  topologyGroup,
  TopologyError,
} from './ops/load-topology.ts'
export type { Topology, TopologyGroup, TopologyTopic } from './ops/load-topology.ts'
export type { RunningConsumer } from './run-consumer.ts'
export { connectionSecurity, type ConnectionSecurity, type KafkaSecurity, type RegistryAuth } from './connection-security.ts'
// The operations of `pnpm ops` that change things or read a group's state, shared by the CLI and the console.
export { describeTopology } from './ops/describe-topology.ts'
export type { GroupDescription, TopicDescription, TopicLag } from './ops/describe-topology.ts'
export { toDlqRecord } from './ops/dlq-record.ts'
export type { DlqFilter, DlqRecord } from './ops/dlq-record.ts'
export { displayable } from './ops/decode-registry-value.ts'
export { listDlq } from './ops/list-dlq.ts'
export type { DlqListing } from './ops/list-dlq.ts'
export { OpsError, UsageError } from './ops/ops-errors.ts'
export { parseReplayFrom } from './ops/parse-replay-from.ts'
export type { ReplayFrom } from './ops/parse-replay-from.ts'
export type { ReplayRow } from './ops/plan-replay.ts'
export { readDlqRecord } from './ops/read-dlq-record.ts'
export type { RedriveResult } from './ops/redrive-dlq.ts'
export { planRedrive, redriveGroupDlq } from './ops/redrive-group-dlq.ts'
export type { RedriveOutcome, RedrivePlan, RedriveRequest } from './ops/redrive-group-dlq.ts'
export { activeMembers, replayGroup } from './ops/replay-group.ts'
export type { ReplayOutcome } from './ops/replay-group.ts'
export { scanTopics } from './ops/scan-topic.ts'
export type { ScanRange, ScanTopicsOptions } from './ops/scan-topic.ts'
export type { AuditActor, AuditRecord } from './ops/write-audit-record.ts'
