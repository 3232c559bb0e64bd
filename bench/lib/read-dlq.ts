import { Kafka, logLevel } from 'kafkajs'

export type DlqRecord = { key: string; errorCode: string; errorMessage: string }

const text = (value: Buffer | string | (Buffer | string)[] | undefined): string =>
  value === undefined ? '' : Array.isArray(value) ? text(value[0]) : value.toString()

/** Every record of a DLQ topic (from its start to the end seen when the read began), with its error headers; none if it does not exist. */
export async function readDlq(brokers: string[], topic: string, timeoutMs = 60_000): Promise<DlqRecord[]> {
  const kafka = new Kafka({ brokers, clientId: 'bench-dlq', logLevel: logLevel.NOTHING, retry: { retries: 5 } })
  const admin = kafka.admin()
  await admin.connect()
  const ends = new Map<number, number>()
  try {
    if (!(await admin.listTopics()).includes(topic)) return []
    for (const p of await admin.fetchTopicOffsets(topic)) if (Number(p.high) > Number(p.low)) ends.set(p.partition, Number(p.high))
  } finally {
    await admin.disconnect()
  }
  const records: DlqRecord[] = []
  if (ends.size === 0) return records
  const seen = new Set<string>()
  const consumer = kafka.consumer({ groupId: `bench-dlq-${process.pid}-${Date.now()}`, maxWaitTimeInMs: 200 })
  await consumer.connect()
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true })
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${topic}: read ${records.length} records within ${timeoutMs} ms`)), timeoutMs)
      void consumer
        .run({
          eachMessage: async ({ partition, message }) => {
            const end = ends.get(partition) ?? 0
            const offset = Number(message.offset)
            if (offset >= end || seen.has(`${partition}/${offset}`)) return
            seen.add(`${partition}/${offset}`)
            records.push({
              key: message.key?.toString('utf8') ?? '(no key)',
              errorCode: text(message.headers?.['x-error-code']) || '(none)',
              errorMessage: text(message.headers?.['x-error-message']).slice(0, 300),
            })
            if (offset === end - 1) ends.delete(partition)
            if (ends.size === 0) {
              clearTimeout(timer)
              resolve()
            }
          },
        })
        .catch(reject)
    })
  } finally {
    await consumer.disconnect()
  }
  return records
}
