// One member of bench/consumer/recovery.ts's group: the runtime with no effect, printing a
// JSON line for each record it handles (its name, the partition, the record's key and when).
// Arguments: --brokers --topic --group --member --partitions --session-timeout-ms.
import { parseArgs } from 'node:util'
import { runConsumer } from '@nudj-webhooks/kafka'
import { createLogger, createMetricsRegistry } from '@nudj-webhooks/observability'
import { Kafka, logLevel } from 'kafkajs'

const { values } = parseArgs({
  options: {
    brokers: { type: 'string', default: '127.0.0.1:9092' },
    topic: { type: 'string' },
    group: { type: 'string' },
    member: { type: 'string' },
    partitions: { type: 'string', default: '4' },
    'session-timeout-ms': { type: 'string' },
  },
  strict: true,
})
const { topic, group, member } = values
const sessionTimeoutMs = Number(values['session-timeout-ms'])
if (!topic || !group || !member || !Number.isInteger(sessionTimeoutMs))
  throw new Error('--topic, --group, --member and --session-timeout-ms are required')

const consumer = await runConsumer<string>(
  {
    group,
    topics: [topic],
    decode: (m) => m.value.toString(),
    effect: 'none',
    retrySchedule: [1_000],
    handlerTimeoutMs: 5_000,
    partitionsConsumedConcurrently: Number(values.partitions),
    sessionTimeoutMs,
    handler: async (_event, ctx) => {
      console.log(JSON.stringify({ member, partition: ctx.message.partition, key: ctx.id, at: Date.now() }))
    },
  },
  {
    // The client id names the member in the group's description.
    kafka: new Kafka({ brokers: values.brokers.split(','), clientId: member, logLevel: logLevel.NOTHING }),
    logger: createLogger({ service: 'bench-recovery', version: 'bench', level: 'silent' }),
    registry: createMetricsRegistry('bench-recovery'),
  },
)
process.once('SIGTERM', () => void consumer.close().then(() => process.exit(0)))
