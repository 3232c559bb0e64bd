import { Kafka, logLevel } from 'kafkajs'

/**
 * Messages the groups have not committed yet, summed over every topic each group has
 * committed on (its category topics and, for `<group>.retry`, its retry topics); a
 * partition with data but no commit counts whole.
 */
export async function groupLag(brokers: string[], groups: string[]): Promise<Record<string, number>> {
  const admin = new Kafka({ brokers, clientId: 'bench-lag', logLevel: logLevel.NOTHING, retry: { retries: 3 } }).admin()
  await admin.connect()
  try {
    const lag: Record<string, number> = {}
    const ends = new Map<string, { high: number; low: number }>()
    for (const groupId of groups) {
      let sum = 0
      for (const { topic, partitions } of await admin.fetchOffsets({ groupId })) {
        if (!ends.has(`${topic}/0`))
          for (const p of await admin.fetchTopicOffsets(topic))
            ends.set(`${topic}/${p.partition}`, { high: Number(p.high), low: Number(p.low) })
        for (const p of partitions) {
          const end = ends.get(`${topic}/${p.partition}`) ?? { high: 0, low: 0 }
          const committed = Number(p.offset)
          sum += committed < 0 ? end.high - end.low : Math.max(0, end.high - committed)
        }
      }
      lag[groupId] = sum
    }
    return lag
  } finally {
    await admin.disconnect()
  }
}

/**
 * Waits until every group has lag 0 on `stableChecks` checks in a row (a retry topic can
 * refill a moment after it drained), reporting progress; throws after `timeoutMs`.
 */
export async function waitForNoLag(
  brokers: string[],
  groups: string[],
  o: { timeoutMs: number; intervalMs: number; stableChecks: number; say: (line: string) => void },
): Promise<{ seconds: number }> {
  const began = Date.now()
  let stable = 0
  let last = ''
  while (Date.now() - began < o.timeoutMs) {
    const lag = await groupLag(brokers, groups).catch((e: unknown) => ({ error: String(e) }))
    const total = 'error' in lag ? Number.NaN : Object.values(lag).reduce((a, b) => a + b, 0)
    stable = total === 0 ? stable + 1 : 0
    if (stable >= o.stableChecks) return { seconds: Math.round((Date.now() - began) / 100) / 10 }
    const line = JSON.stringify(lag)
    if (line !== last) o.say(`lag ${line}`)
    last = line
    await new Promise((r) => setTimeout(r, o.intervalMs))
  }
  throw new Error(`the consumer groups still lag after ${o.timeoutMs} ms: ${last}`)
}
