import type { Admin } from 'kafkajs'

// kafkajs's ConfigResourceTypes.TOPIC: Node cannot import that name from kafkajs's CommonJS entry.
const topicResource = 2

/** Each topic's max.message.bytes as the broker has it (the topic's own setting, else the broker's default). */
export async function fetchMaxMessageBytes(admin: Admin, topics: string[]): Promise<Map<string, number>> {
  const { resources } = await admin.describeConfigs({
    includeSynonyms: false,
    resources: topics.map((name) => ({ type: topicResource, name, configNames: ['max.message.bytes'] })),
  })
  const limits = new Map<string, number>()
  for (const resource of resources) {
    const value = resource.configEntries.find((e) => e.configName === 'max.message.bytes')?.configValue
    if (value !== undefined) limits.set(resource.resourceName, Number(value))
  }
  return limits
}
