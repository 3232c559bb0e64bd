import { Kafka, logLevel } from 'kafkajs'

/** Deletes every `<prefix>.*` topic a run created, so the shared broker keeps nothing of it. */
export async function deleteTopicsWithPrefix(brokers: string[], prefix: string): Promise<number> {
  const admin = new Kafka({ brokers, clientId: 'bench-cleanup', logLevel: logLevel.NOTHING }).admin()
  await admin.connect()
  try {
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(`${prefix}.`))
    if (topics.length > 0) await admin.deleteTopics({ topics, timeout: 30_000 })
    return topics.length
  } finally {
    await admin.disconnect()
  }
}
