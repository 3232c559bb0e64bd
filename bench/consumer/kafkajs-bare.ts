// Variant (b): the kafkajs ceiling. A bare group consumer that only counts what it is given,
// six partitions at a time, and leaves once it has seen the records asked for.
import { Kafka, logLevel } from 'kafkajs'
import { writeChildReport } from './child-report.ts'
import { loadConsumerVariantConfig } from './config.ts'
import { readPeakRssMb } from '../ingest/read-peak-rss.ts'

const config = loadConsumerVariantConfig(process.argv.slice(2), process.env)
const progressEveryMs = 3_000

const kafka = new Kafka({
  clientId: 'bench-kafkajs-bare',
  brokers: config.brokers,
  logLevel: logLevel.WARN,
  // stdout carries the reports; kafkajs's own lines go to stderr (the variant's log file).
  logCreator: () => (entry) => process.stderr.write(`${JSON.stringify({ level: entry.level, ...entry.log })}\n`),
})
const consumer = kafka.consumer({ groupId: config.group })

let seen = 0
let firstRecordAt: number | undefined
const drained = Promise.withResolvers<{ records: number; at: number }>()

const began = performance.now()
const seconds = (at = performance.now()): number => (at - began) / 1000
await consumer.connect()
await consumer.subscribe({ topics: [config.topic], fromBeginning: true })
const progress = setInterval(() => writeChildReport({ type: 'progress', records: seen, seconds: seconds() }), progressEveryMs)
await consumer.run({
  partitionsConsumedConcurrently: 6,
  eachBatch: async ({ batch }) => {
    firstRecordAt ??= performance.now()
    seen += batch.messages.length
    if (seen >= config.records) drained.resolve({ records: seen, at: performance.now() })
  },
})
const end = await drained.promise
clearInterval(progress)
writeChildReport({
  type: 'done',
  records: end.records,
  seconds: seconds(end.at),
  firstRecordSeconds: firstRecordAt === undefined ? null : seconds(firstRecordAt),
  rssMb: readPeakRssMb(process.pid) ?? null,
})
// Leaving the group is not measured; a disconnect that hangs does not hold the run up.
setTimeout(() => process.exit(0), 15_000).unref()
await consumer.disconnect()
