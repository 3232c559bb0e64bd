// Unauthenticated traffic spends budgets of its own, never those of Nudj's traffic; and the
// per-address budgets key on the client behind a trusted proxy only. Rate limits answer 503
// RATE_LIMITED, not 429 (rate-limits.test.ts). The budgets are chosen so that timing cannot
// change an outcome: a burst, then tokens far apart.
import { createHash } from 'node:crypto'
import { gen2Headers, signGen2 } from '@nudj-webhooks/nudj-sim'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { secrets, startTestIngest, type TestIngest } from './start-test-ingest.ts'

const infra = inject('infra')

const pointsBody = (tag: string): Buffer =>
  Buffer.from(
    JSON.stringify({ event: 'points.awarded', timestamp: new Date().toISOString(), data: { user: { id: tag }, points: { amount: 1 } } }),
  )

type Sent = { from: string; forwardedFor?: string; path?: string; headers: Record<string, string>; body: Buffer }

async function send(ingest: TestIngest, { from, forwardedFor, path = '/webhooks/nudj/acme', headers, body }: Sent) {
  const response = await ingest.app.inject({
    method: 'POST',
    url: path,
    remoteAddress: from,
    headers: { ...headers, ...(forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}) },
    payload: body,
  })
  return { status: response.statusCode, code: response.json<{ code?: string }>().code }
}

const signed = (tag: string, from: string, forwardedFor?: string): Sent => {
  const body = pointsBody(tag)
  return {
    from,
    forwardedFor,
    body,
    headers: gen2Headers({ body, secret: secrets.current, event: 'points.awarded', deliveryId: `dlv-${tag}` }),
  }
}

describe('a flood of unauthenticated requests while Nudj delivers', () => {
  let ingest: TestIngest
  beforeAll(async () => {
    // acme takes 10 requests a second (a burst of 10); an address may fail authentication
    // once every 10 s (a burst of one).
    ingest = await startTestIngest(infra, { INGEST_RATE_LIMIT_PER_SOURCE: '10', INGEST_AUTH_FAILURES_PER_ADDRESS: '0.1' })
  })
  afterAll(async () => {
    await ingest?.close()
  })

  it("answers every Nudj delivery 200: the flood spends neither acme's budget nor Nudj's address's", async () => {
    const nudj = '198.51.100.10'
    const forged = (i: number): Sent => {
      const body = pointsBody(`forged-${i}`)
      const kinds: Omit<Sent, 'from'>[] = [
        {
          body,
          headers: {
            ...gen2Headers({ body, secret: secrets.current, event: 'points.awarded', deliveryId: `x-${i}` }),
            'x-nudj-signature': signGen2(body, 'whsec_guessed-0123456789'),
          },
        },
        { body, headers: { 'content-type': 'application/json' } },
        { body, headers: { 'content-type': 'application/json' }, path: `/webhooks/nudj/made-up-${i}` },
      ]
      return { from: `203.0.113.${i % 40}`, ...kinds[i % 3]! }
    }
    const floodAnswers: { status: number; code?: string }[] = []
    const nudjAnswers: { status: number; code?: string }[] = []
    // 120 refused requests from 40 addresses (3 each) around 8 deliveries from Nudj.
    for (let i = 0; i < 120; i++) {
      floodAnswers.push(await send(ingest, forged(i)))
      if (i % 15 === 14) nudjAnswers.push(await send(ingest, signed(`nudj-${i}`, nudj)))
    }
    expect(nudjAnswers).toEqual(Array(8).fill({ status: 200 }))
    expect(await ingest.countRecords('points')).toBe(8)

    // Each flooding address: its first request is refused for what it is, its next two
    // unread (503 before the body), having spent its budget of failures.
    const byAddress = new Map<string, string[]>()
    floodAnswers.forEach((a, i) => {
      const from = forged(i).from
      byAddress.set(from, [...(byAddress.get(from) ?? []), `${a.status} ${a.code}`])
    })
    // acme accepts gen-1 static headers too: a request with no credentials fails that check.
    const first = ['401 BAD_SIGNATURE', '401 BAD_CREDENTIALS', '404 UNKNOWN_SOURCE']
    for (const [from, answers] of byAddress) {
      const index = Number(from.split('.')[3])
      expect(answers, from).toEqual([first[index % 3], '503 RATE_LIMITED', '503 RATE_LIMITED'])
    }
    const metrics = await (await fetch(`${ingest.opsAddress}/metrics`)).text()
    expect(metrics).toMatch(/^webhooks_ingest_shed_total\{reason="auth-failures",service="ingest"\} 80$/m)
    expect(metrics).not.toMatch(/webhooks_ingest_shed_total\{reason="rate-limit"/)
  })
})

describe('the per-address limit behind a trusted proxy', () => {
  let ingest: TestIngest
  const proxy = '10.0.0.1'
  beforeAll(async () => {
    // One request per address every 10 s (a burst of one).
    ingest = await startTestIngest(infra, { INGEST_RATE_LIMIT_PER_ADDRESS: '0.1', INGEST_TRUSTED_PROXIES: `${proxy}, 10.9.0.0/16` })
  })
  afterAll(async () => {
    await ingest?.close()
  })

  it('keys on X-Forwarded-For from the trusted proxy, and on the peer address from anywhere else', async () => {
    const answers = {
      // Through the proxy: two clients, each with a budget of its own.
      clientA: await send(ingest, signed('a1', proxy, '192.0.2.1')),
      clientB: await send(ingest, signed('b1', proxy, '192.0.2.2')),
      clientAAgain: await send(ingest, signed('a2', proxy, '192.0.2.1')),
      // Through a trusted range too, after a hop the client added itself (not believed).
      clientCViaRange: await send(ingest, signed('c1', '10.9.3.4', '6.6.6.6, 192.0.2.3')),
      // From an untrusted hop the header is the client's own claim: ignored, so every
      // request from 198.51.100.7 shares one budget whatever it says.
      untrusted: await send(ingest, signed('u1', '198.51.100.7', '192.0.2.50')),
      untrustedClaimingAnother: await send(ingest, signed('u2', '198.51.100.7', '192.0.2.51')),
      untrustedClaimingClientB: await send(ingest, signed('u3', '198.51.100.8', '192.0.2.2')),
    }
    expect(answers).toEqual({
      clientA: { status: 200 },
      clientB: { status: 200 },
      clientAAgain: { status: 503, code: 'RATE_LIMITED' },
      clientCViaRange: { status: 200 },
      untrusted: { status: 200 },
      untrustedClaimingAnother: { status: 503, code: 'RATE_LIMITED' },
      // 198.51.100.8 has a budget of its own: claiming to be client B takes nothing of B's.
      untrustedClaimingClientB: { status: 200 },
    })
    expect(await ingest.countRecords('points')).toBe(5)
  })

  it('records the client behind the proxy in the rejection audit', async () => {
    const body = pointsBody('audited')
    const forged = { ...gen2Headers({ body, secret: secrets.current, event: 'points.awarded', deliveryId: 'dlv-audited' }) }
    forged['x-nudj-signature'] = signGen2(body, 'whsec_guessed-0123456789')
    expect(await send(ingest, { from: proxy, forwardedFor: '192.0.2.99', headers: forged, body })).toEqual({
      status: 401,
      code: 'BAD_SIGNATURE',
    })
    const [audit] = await ingest.readRejected(1)
    expect(audit?.rejection).toMatchObject({
      reason: 'BAD_SIGNATURE',
      remoteAddress: '192.0.2.99',
      bodySha256: createHash('sha256').update(body).digest('hex'),
    })
  })
})
