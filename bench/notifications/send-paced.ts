import { Agent, request } from 'node:http'
import { buildGen2Event, buildRequest, type Gen2Name, type SimUser, type World } from '@nudj-webhooks/nudj-sim'

export type PacedSend = {
  sent: number
  failed: number
  /**
   * Acknowledged as a duplicate of an earlier body (ingest's replay window: two events drawn
   * alike in the same millisecond are the same signed body): stored once, under the first
   * one's webhook id, so not expected downstream under their own.
   */
  duplicates: number
  ackMs: number[]
  /** POST start by delivery id, for the POSTs ingest acknowledged (the others are not expected downstream). */
  startedAt: Map<string, number>
  /** When ingest answered 2xx (performance.now()), by delivery id: the record is in Kafka by then. */
  ackedAt: Map<string, number>
  achievedRate: number
}

const names: Gen2Name[] = ['reward.earned', 'achievement.earned', 'challenge.completed', 'points.awarded', 'reward.delivered']

/** One POST over a keep-alive agent; answers the status (0 when no answer) and whether ingest took it as a duplicate. */
async function post(
  agent: Agent,
  url: string,
  headers: Record<string, string>,
  body: Buffer,
): Promise<{ status: number; duplicate: boolean }> {
  return await new Promise((resolve) => {
    const req = request(url, { method: 'POST', agent, headers: { ...headers, 'content-length': String(body.length) }, timeout: 30_000 })
    req.on('response', (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => (text += chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, duplicate: text.includes('"duplicate":true') }))
    })
    req.on('timeout', () => req.destroy())
    req.on('error', () => resolve({ status: 0, duplicate: false }))
    req.end(body)
  })
}

/**
 * Signed gen-2 POSTs to ingest at `rate` per second for `seconds` (never more than `concurrency`
 * at once, as Nudj's sender), each for a random user and an event that makes one notification.
 * Records when each POST started (by delivery id, the webhook id) and how long ingest took to
 * answer (its Kafka acknowledgement).
 */
export async function sendPaced(options: {
  world: World
  users: SimUser[]
  receiver: { url: string; secret: string }
  rate: number
  seconds: number
  concurrency?: number
}): Promise<PacedSend> {
  const { world, users, rate } = options
  const concurrency = options.concurrency ?? 200
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency })
  const result: PacedSend = { sent: 0, failed: 0, duplicates: 0, ackMs: [], startedAt: new Map(), ackedAt: new Map(), achievedRate: 0 }
  const total = Math.round(rate * options.seconds)
  const inFlight = new Set<Promise<void>>()
  const began = performance.now()
  for (let i = 0; i < total; i++) {
    const due = began + (i * 1000) / rate
    const wait = due - performance.now()
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait))
    while (inFlight.size >= concurrency) await Promise.race(inFlight)
    const user = world.random.pick(users)
    const event = buildGen2Event(world, world.random.pick(names), { user, at: new Date() })
    const req = buildRequest({ url: options.receiver.url, secret: options.receiver.secret, gen1Headers: {} }, event)
    const start = performance.now()
    const p = post(agent, req.url, req.headers, req.body)
      .then(({ status, duplicate }) => {
        if (duplicate) result.duplicates += 1
        else if (status >= 200 && status < 300) {
          const acked = performance.now()
          result.ackMs.push(acked - start)
          result.startedAt.set(event.deliveryId, start)
          result.ackedAt.set(event.deliveryId, acked)
        } else result.failed += 1
      })
      .finally(() => inFlight.delete(p))
    inFlight.add(p)
    result.sent += 1
  }
  result.achievedRate = Math.round(result.sent / ((performance.now() - began) / 1000))
  await Promise.all(inFlight)
  agent.destroy()
  return result
}
