// A receiver for the simulator's tests that checks authenticity independently of the
// simulator's own signing code, and answers the way ingest will.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto'
import { startServer, type ReceivedRequest } from './start-server.ts'

export type Received = { webhookId: string; generation: 'gen1' | 'gen2'; status: number }

export type ReceiverOptions = {
  secret: string
  gen1Token: string
  /** Answer 503 to the first attempt of this share of deliveries (by a hash of their id). */
  failFirstShare?: number
}

export async function startReceiver(options: ReceiverOptions) {
  const received: Received[] = []
  const attemptsById = new Map<string, number>()

  function decide({ headers, body }: ReceivedRequest): { code: number; reason: string } {
    if (body.length > 1024 * 1024) return { code: 413, reason: 'BODY_TOO_LARGE' }
    if (!String(headers['content-type']).startsWith('application/json')) return { code: 415, reason: 'UNSUPPORTED_MEDIA_TYPE' }
    const signature = headers['x-nudj-signature']
    let generation: 'gen1' | 'gen2'
    if (typeof signature === 'string') {
      const expected = Buffer.from(`sha256=${createHmac('sha256', options.secret).update(body).digest('hex')}`)
      if (!same(expected, Buffer.from(signature))) return { code: 401, reason: 'BAD_SIGNATURE' }
      generation = 'gen2'
    } else {
      const given = Buffer.from(String(headers.authorization ?? ''))
      if (!same(Buffer.from(`Bearer ${options.gen1Token}`), given) || headers['x-webhook-source'] !== 'nudj-platform')
        return { code: 401, reason: 'BAD_CREDENTIALS' }
      generation = 'gen1'
    }
    let parsed: unknown
    try {
      parsed = JSON.parse(body.toString())
    } catch {
      return { code: 400, reason: 'BODY_NOT_JSON' }
    }
    const webhookId = String(headers['x-nudj-delivery-id'] ?? (parsed as { id?: string }).id)
    const attempt = (attemptsById.get(webhookId) ?? 0) + 1
    attemptsById.set(webhookId, attempt)
    const bucket = createHash('sha256').update(webhookId).digest()[0]! / 256
    const code = attempt === 1 && bucket < (options.failFirstShare ?? 0) ? 503 : 202
    received.push({ webhookId, generation, status: code })
    return { code, reason: code === 503 ? 'TRY_AGAIN' : 'ACCEPTED' }
  }

  const server = await startServer((request, response) => {
    const { code, reason } = decide(request)
    response.writeHead(code, { 'content-type': 'application/json' }).end(JSON.stringify({ code: reason }))
  })
  return { url: `${server.url}/webhooks/nudj`, received, close: () => server.close() }
}

const same = (a: Buffer, b: Buffer): boolean => a.length === b.length && timingSafeEqual(a, b)
