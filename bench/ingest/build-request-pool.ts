import { createEventStream, createWorld, gen2Headers } from '@nudj-webhooks/nudj-sim'
import type { Random } from '@nudj-webhooks/nudj-sim'

export type PooledRequest = {
  method: 'POST'
  path: string
  headers: Record<string, string>
  body: Buffer
}

export type RequestPoolOptions = {
  seed: number
  size: number
  secret: string
  source: string
  /** Nudj's gen-2 bodies are a few hundred bytes; production ones carry more context, so each is padded to about this. */
  targetBytes?: number
}

const platforms = [
  { os: 'iOS', versions: ['17.6.1', '18.2', '18.4.1'], model: 'iPhone15,3' },
  { os: 'Android', versions: ['13', '14', '15'], model: 'Pixel 8' },
] as const
const tags = ['loyalty', 'spring-campaign', 'vip', 'newsletter', 'in-store', 'app-first', 'referral', 'weekly-shop', 'eco', 'beta']

/**
 * A fixed pool of signed gen-2 deliveries, each with its own `X-Nudj-Delivery-Id`. The same
 * seed gives the same events, ids and sizes; only the timestamps follow the clock.
 */
export function buildRequestPool({ seed, size, secret, source, targetBytes = 1024 }: RequestPoolOptions): PooledRequest[] {
  const world = createWorld({ seed })
  const stream = createEventStream(world, { gen1Share: 0 })
  return Array.from({ length: size }, () => {
    const event = stream.next()
    const data = event.body.data as Record<string, unknown>
    data.context = deviceContext(world.random)
    padTo(event.body, data.context as { tags: string[] }, targetBytes)
    const body = Buffer.from(JSON.stringify(event.body))
    return {
      method: 'POST',
      path: `/webhooks/nudj/${source}`,
      headers: gen2Headers({ body, secret, event: event.name, deliveryId: event.deliveryId }),
      body,
    }
  })
}

// The kind of client context a loyalty platform attaches to an activity event.
function deviceContext(random: Random): Record<string, unknown> {
  const platform = random.pick(platforms)
  const osVersion = random.pick(platform.versions)
  const appVersion = `4.${random.int(10, 19)}.${random.int(0, 9)}`
  return {
    channel: 'mobile-app',
    locale: random.pick(['en-GB', 'en-IE', 'cy-GB']),
    timezone: 'Europe/London',
    app: { name: 'Nudj Rewards', version: appVersion, build: String(random.int(4000, 4999)) },
    device: { type: 'mobile', os: platform.os, osVersion, model: platform.model },
    userAgent: `NudjRewards/${appVersion} (${platform.os} ${osVersion}; ${platform.model}) okhttp/4.12.0`,
    campaign: { source: random.pick(['push', 'email', 'organic']), medium: 'app', name: `spring-${random.hex(6)}` },
    sessionId: `ses_${random.hex(20)}`,
    tags: [],
  }
}

function padTo(body: Record<string, unknown>, context: { tags: string[] }, targetBytes: number): void {
  // Bounded: each tag adds ~10 bytes, so a few dozen reach any sensible target.
  for (let i = 0; i < 100 && JSON.stringify(body).length < targetBytes; i += 1) {
    context.tags.push(`${tags[i % tags.length] ?? 'tag'}-${Math.floor(i / tags.length)}`)
  }
}
