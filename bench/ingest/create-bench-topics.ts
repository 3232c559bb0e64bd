import { Kafka, logLevel } from 'kafkajs'

/** Creates each topic with 6 partitions on the single local broker; a topic that exists already is kept. */
export async function createBenchTopics(brokers: string[], topics: string[]): Promise<void> {
  if (topics.length === 0) return
  const admin = new Kafka({ clientId: 'bench-admin', brokers, logLevel: logLevel.ERROR, retry: { retries: 3 } }).admin()
  await admin.connect()
  try {
    // Resolves false, rather than failing, when the topics already exist.
    await admin.createTopics({ topics: topics.map((topic) => ({ topic, numPartitions: 6, replicationFactor: 1 })), waitForLeaders: true })
  } finally {
    await admin.disconnect()
  }
}
