// Replays of captured gen-2 requests against one real ingest (default tolerance, 5 minutes):
// the signature covers only the body, so a replay under a new X-Nudj-Delivery-Id verifies.
import { createHash } from 'node:crypto'
import { categories } from '@nudj-webhooks/contracts'
import { gen2Headers } from '@nudj-webhooks/nudj-sim'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { secrets, startTestIngest, type TestIngest } from './start-test-ingest.ts'

const infra = inject('infra')
let ingest: TestIngest

beforeAll(async () => {
  ingest = await startTestIngest(infra)
})
afterAll(async () => {
  await ingest?.close()
})

const minutes = (n: number): number => n * 60_000
/** A gen-2 reward body; `fields` holds its timestamp (none at all when empty). */
const rewardBody = (tag: string, fields: { timestamp?: string } = { timestamp: new Date().toISOString() }): Buffer =>
  Buffer.from(JSON.stringify({ event: 'reward.earned', ...fields, data: { user: { id: `u-${tag}` }, reward: { id: `r-${tag}` } } }))
const at = (offsetMs: number) => ({ timestamp: new Date(Date.now() + offsetMs).toISOString() })

async function send(body: Buffer, deliveryId?: string) {
  const headers = gen2Headers({ body, secret: secrets.current, event: 'reward.earned', deliveryId: deliveryId ?? '' })
  if (deliveryId === undefined) delete headers['x-nudj-delivery-id']
  const response = await ingest.app.inject({ method: 'POST', url: '/webhooks/nudj/acme', headers, payload: body })
  return { status: response.statusCode, json: response.json<Record<string, unknown>>() }
}

/** Every record of the reward topic carrying exactly this body (each 200 was acknowledged by Kafka first). */
async function recordsOf(body: Buffer) {
  const records = await ingest.read('reward', await ingest.countRecords('reward'))
  return records.filter((r) => r.envelope.body.equals(body))
}

async function totalRecords(): Promise<number> {
  const counts = await Promise.all(categories.map(async (category) => await ingest.countRecords(category)))
  return counts.reduce((a, b) => a + b, 0)
}

describe('a captured gen-2 request replayed under a new delivery id', () => {
  it('is answered 200 with the original webhook id and duplicate: true, and stored once', async () => {
    const body = rewardBody('replayed')
    expect(await send(body, 'dlv-original')).toEqual({ status: 200, json: { accepted: true, webhookId: 'dlv-original' } })
    const replay = { status: 200, json: { accepted: true, webhookId: 'dlv-original', duplicate: true } }
    expect(await send(body, 'dlv-replay-1')).toEqual(replay)
    expect(await send(body, 'dlv-replay-2')).toEqual(replay)
    // Without a delivery id the webhook id would be a hash of the body: still the same content.
    expect(await send(body)).toEqual(replay)

    const stored = await recordsOf(body)
    expect(stored.map((r) => r.key)).toEqual(['dlv-original'])
    const metrics = await (await fetch(`${ingest.opsAddress}/metrics`)).text()
    expect(metrics).toMatch(/^webhooks_ingest_replays_total\{source="acme",service="ingest"\} 3$/m)
    expect(metrics).toMatch(/^webhooks_ingest_requests_total\{source="acme",outcome="DUPLICATE",service="ingest"\} 3$/m)
  })

  it("still takes Nudj's own retry (the same delivery id) the normal way: 200, stored again for consumers to drop", async () => {
    const body = rewardBody('retried')
    for (let i = 0; i < 2; i++) {
      expect(await send(body, 'dlv-retried')).toEqual({ status: 200, json: { accepted: true, webhookId: 'dlv-retried' } })
    }
    expect((await recordsOf(body)).map((r) => r.key)).toEqual(['dlv-retried', 'dlv-retried'])
  })
})

describe('the signed timestamp bounds a replay', () => {
  it('accepts a timestamp inside the tolerance, in the past or the future', async () => {
    const late = rewardBody('late', at(-minutes(4)))
    const early = rewardBody('early', at(minutes(4)))
    expect(await send(late, 'dlv-late')).toMatchObject({ status: 200, json: { webhookId: 'dlv-late' } })
    expect(await send(early, 'dlv-early')).toMatchObject({ status: 200, json: { webhookId: 'dlv-early' } })
  })

  it('refuses a stale, a future, a missing or an unreadable timestamp with 401 and its code, writes nothing, and audits each', async () => {
    const before = await totalRecords()
    const refused = [
      { tag: 'stale', fields: at(-minutes(10)), code: 'TIMESTAMP_OUT_OF_TOLERANCE' },
      { tag: 'future', fields: at(minutes(10)), code: 'TIMESTAMP_OUT_OF_TOLERANCE' },
      { tag: 'missing', fields: {}, code: 'MISSING_TIMESTAMP' },
      { tag: 'no-offset', fields: { timestamp: new Date().toISOString().replace('Z', '') }, code: 'MALFORMED_TIMESTAMP' },
    ].map((c) => ({ ...c, body: rewardBody(c.tag, c.fields) }))
    for (const { tag, body, code } of refused) {
      const answer = await send(body, `dlv-${tag}`)
      expect(answer, tag).toMatchObject({ status: 401, json: { code } })
      expect(String(answer.json.message)).toMatch(/timestamp/)
    }
    expect(await totalRecords()).toBe(before)

    // The audit topic has one record for each, keyed by source, with the body's hash.
    const shaOf = (body: Buffer): string => createHash('sha256').update(body).digest('hex')
    const wanted = new Map(refused.map(({ body, code }) => [shaOf(body), code]))
    const audit = await ingest.readRejected(refused.length)
    const found = audit.filter((a) => wanted.has(a.rejection.bodySha256))
    expect(found.map((a) => [a.key, a.rejection.source, a.rejection.reason]).sort()).toEqual(
      refused.map(({ code }) => ['acme', 'acme', code]).sort(),
    )
    for (const a of found) expect(a.rejection.reason).toBe(wanted.get(a.rejection.bodySha256))
    const metrics = await (await fetch(`${ingest.opsAddress}/metrics`)).text()
    expect(metrics).toMatch(
      /^webhooks_ingest_verification_failures_total\{source="acme",reason="TIMESTAMP_OUT_OF_TOLERANCE",service="ingest"\} 2$/m,
    )
  })

  it('refuses a stale body under every delivery id it is sent with', async () => {
    const body = rewardBody('once', at(-minutes(6)))
    expect(await send(body, 'dlv-once')).toMatchObject({ status: 401, json: { code: 'TIMESTAMP_OUT_OF_TOLERANCE' } })
    expect(await send(body, 'dlv-once-again')).toMatchObject({ status: 401, json: { code: 'TIMESTAMP_OUT_OF_TOLERANCE' } })
    expect(await recordsOf(body)).toEqual([])
  })
})
