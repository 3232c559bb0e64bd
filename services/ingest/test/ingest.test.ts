import { createHash } from 'node:crypto'
import { categories } from '@nudj-webhooks/contracts'
import { gen1Headers, gen2Headers, runSend, signGen2, standardWebhooksHeaders } from '@nudj-webhooks/nudj-sim'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { secrets, startTestIngest, type TestIngest } from './start-test-ingest.ts'

const infra = inject('infra')
let ingest: TestIngest

beforeAll(async () => {
  ingest = await startTestIngest(infra)
})
afterAll(async () => {
  await ingest.close()
})

// Spacing, key order and an escaped slash: a re-serialisation would change these bytes.
const rewardBody = (id: string): Buffer =>
  Buffer.from(
    `{ "event":"reward.earned", "timestamp":"${new Date().toISOString()}","data":{"user":{"id":"u-${id}"},"reward":{"id":"r\\/1","value":100}} }`,
  )

async function post(path: string, headers: Record<string, string>, body: Buffer | string, method: 'POST' | 'PUT' | 'GET' = 'POST') {
  const response = await ingest.app.inject({ method, url: path, headers, payload: body })
  return {
    status: response.statusCode,
    headers: response.headers,
    json: response.json<{ code?: string; message?: string; webhookId?: string; accepted?: boolean }>(),
  }
}

/** Records in every category topic (unknown included), to prove a refusal wrote nothing. */
async function totalRecords(): Promise<number> {
  const counts = await Promise.all(categories.map(async (category) => await ingest.countRecords(category)))
  return counts.reduce((a, b) => a + b, 0)
}

const gen2 = (body: Buffer, deliveryId: string, secret = secrets.current): Record<string, string> =>
  gen2Headers({ body, secret, event: 'reward.earned', deliveryId })

describe('ingest: accepted deliveries are in Kafka before the 200', () => {
  it('stores a gen-2 delivery byte for byte on its category topic, keyed by the delivery id', async () => {
    const body = rewardBody('a')
    const answer = await post('/webhooks/nudj/acme', gen2(body, 'dlv-gen2-1'), body)
    expect(answer).toMatchObject({ status: 200, json: { accepted: true, webhookId: 'dlv-gen2-1' } })

    const [record] = await ingest.read('reward', 1)
    expect(record!.key).toBe('dlv-gen2-1')
    expect(record!.headers).toMatchObject({ event: 'reward.earned', source: 'acme', 'webhook-id': 'dlv-gen2-1' })
    const { envelope } = record!
    expect(envelope).toMatchObject({
      webhookId: 'dlv-gen2-1',
      source: 'acme',
      event: 'reward.earned',
      canonicalEvent: 'reward.earned',
      category: 'reward',
      generation: 'gen2',
      authScheme: 'gen2-hmac',
    })
    expect(envelope.body.equals(body)).toBe(true)
    expect(envelope.headers).toMatchObject({ 'x-nudj-delivery-id': 'dlv-gen2-1', 'x-nudj-event': 'reward.earned' })
    expect(Object.keys(envelope.headers)).not.toContain('x-nudj-signature')
  })

  it('stores a gen-1 delivery (static headers, PUT) under the body id with its canonical name', async () => {
    const body = Buffer.from(
      JSON.stringify({
        id: 'gen1-abc',
        eventCategory: 'challenge',
        eventSubCategory: 'challenge-completion',
        userId: 'u1',
        eventSourceId: 'c1',
        payload: {},
        createdAt: '2026-03-14T10:21:45.102Z',
      }),
    )
    const headers = gen1Headers({ Authorization: `Bearer ${secrets.gen1}`, 'X-Webhook-Source': 'nudj-platform' })
    expect(await post('/webhooks/nudj/acme', headers, body, 'PUT')).toMatchObject({ status: 200, json: { webhookId: 'gen1-abc' } })
    const [record] = await ingest.read('challenge', 1)
    expect(record!.envelope).toMatchObject({
      webhookId: 'gen1-abc',
      event: 'challenge-completion',
      canonicalEvent: 'challenge.completed',
      generation: 'gen1',
      authScheme: 'gen1-static',
    })
    expect(Object.keys(record!.envelope.headers)).not.toContain('authorization')
  })

  it('uses the default source on /webhooks/nudj, and keeps an unknown event on the unknown topic', async () => {
    const body = Buffer.from(`{"event":"subscription.updated","timestamp":"${new Date().toISOString()}","data":{}}`)
    const headers = gen2Headers({ body, secret: secrets.current, event: 'subscription.updated', deliveryId: 'dlv-unknown-1' })
    expect(await post('/webhooks/nudj', headers, body)).toMatchObject({ status: 200 })
    const records = await ingest.read('unknown', 1)
    expect(records.map((r) => r.envelope.event)).toContain('subscription.updated')
  })

  it('accepts either active secret while one is rotated, and Standard Webhooks signatures', async () => {
    const previous = rewardBody('p')
    expect(await post('/webhooks/nudj/acme', gen2(previous, 'dlv-previous', secrets.previous), previous)).toMatchObject({ status: 200 })
    const standard = rewardBody('s')
    const headers = standardWebhooksHeaders({ body: standard, secret: secrets.standard, id: 'msg-1', timestampSeconds: Date.now() / 1000 })
    expect(await post('/webhooks/nudj/acme', headers, standard)).toMatchObject({ status: 200 })
    const stale = standardWebhooksHeaders({
      body: standard,
      secret: secrets.standard,
      id: 'msg-2',
      timestampSeconds: Date.now() / 1000 - 3600,
    })
    expect(await post('/webhooks/nudj/acme', stale, standard)).toMatchObject({ status: 401, json: { code: 'TIMESTAMP_OUT_OF_TOLERANCE' } })

    const metrics = await (await fetch(`${ingest.opsAddress}/metrics`)).text()
    expect(metrics).toMatch(/webhooks_ingest_verified_total\{source="acme",scheme="gen2-hmac",secret_id="previous",service="ingest"\} 1/)
    expect(metrics).toMatch(/webhooks_ingest_verified_total\{source="acme",scheme="standard-webhooks",secret_id="sw",service="ingest"\} 1/)
  })

  it('answers both copies of a duplicate 200 and stores both under the same key', async () => {
    const body = rewardBody('dup')
    for (let i = 0; i < 2; i++) expect((await post('/webhooks/nudj/acme', gen2(body, 'dlv-dup'), body)).status).toBe(200)
    const records = await ingest.read('reward', 5)
    expect(records.filter((r) => r.key === 'dlv-dup')).toHaveLength(2)
  })
})

describe('ingest: refusals', () => {
  it('answers 401 for a bad signature, writes nothing to the category topics, and audits it without secrets', async () => {
    const before = await ingest.countRecords('reward')
    const body = rewardBody('bad')
    const forged = { ...gen2(body, 'dlv-forged'), 'x-nudj-signature': signGen2(body, 'whsec_wrong') }
    expect(await post('/webhooks/nudj/hmaconly', forged, body)).toMatchObject({ status: 401, json: { code: 'BAD_SIGNATURE' } })
    const tampered = Buffer.from(body.toString().replace('100', '900'))
    expect(await post('/webhooks/nudj/acme', gen2(body, 'dlv-tampered'), tampered)).toMatchObject({
      status: 401,
      json: { code: 'BAD_SIGNATURE' },
    })
    expect(await post('/webhooks/nudj/hmaconly', { 'content-type': 'application/json' }, body)).toMatchObject({
      status: 401,
      json: { code: 'MISSING_SIGNATURE' },
    })
    expect(await post('/webhooks/nudj/acme', { ...gen2(body, 'x'), 'x-nudj-signature': 'sha256=zz' }, body)).toMatchObject({
      status: 401,
      json: { code: 'MALFORMED_SIGNATURE' },
    })
    const wrongBearer = gen1Headers({ Authorization: 'Bearer nope', 'X-Webhook-Source': 'nudj-platform' })
    expect(await post('/webhooks/nudj/acme', wrongBearer, body)).toMatchObject({ status: 401, json: { code: 'BAD_CREDENTIALS' } })
    expect(await ingest.countRecords('reward')).toBe(before)

    const audit = await ingest.readRejected(5)
    const forgedAudit = audit.find((a) => a.rejection.headers['x-nudj-delivery-id'] === 'dlv-forged')!
    expect(forgedAudit).toMatchObject({
      key: 'hmaconly',
      rejection: { reason: 'BAD_SIGNATURE', status: 401, source: 'hmaconly', bodyBytes: body.length },
    })
    expect(forgedAudit.rejection.bodySha256).toBe(createHash('sha256').update(body).digest('hex'))
    const everything = JSON.stringify(audit.map((a) => a.rejection))
    expect(everything).not.toMatch(/x-nudj-signature|authorization|Bearer/i)
  })

  it('keeps a verified body that is not a JSON object on the unknown topic, then answers 400', async () => {
    const notJson = Buffer.from('event=reward.earned&user=1')
    expect(await post('/webhooks/nudj/acme', gen2(notJson, 'dlv-not-json'), notJson)).toMatchObject({
      status: 400,
      json: { code: 'BODY_NOT_JSON' },
    })
    const array = Buffer.from('[{"event":"reward.earned"}]')
    expect(await post('/webhooks/nudj/acme', gen2(array, 'dlv-array'), array)).toMatchObject({
      status: 400,
      json: { code: 'BODY_NOT_OBJECT' },
    })
    const kept = await ingest.read('unknown', 3)
    const byId = new Map(kept.map((r) => [r.key, r.envelope]))
    expect(byId.get('dlv-not-json')?.body.equals(notJson)).toBe(true)
    expect(byId.get('dlv-array')?.body.equals(array)).toBe(true)
  })

  it.each([
    ['an unknown source', '/webhooks/nudj/nobody', 404, 'UNKNOWN_SOURCE'],
    ['an unknown path', '/webhooks/other', 404, 'NOT_FOUND'],
  ])('answers %s (%s) with %i %s and writes nothing', async (_, path, status, code) => {
    const before = await totalRecords()
    const body = rewardBody('x')
    expect(await post(path, gen2(body, 'dlv-404'), body)).toMatchObject({ status, json: { code } })
    expect(await totalRecords()).toBe(before)
  })

  it('answers 413 over the body limit, 415 for another media type, 405 with Allow for other methods, and writes nothing', async () => {
    const before = await totalRecords()
    const big = Buffer.from(JSON.stringify({ event: 'reward.earned', padding: 'x'.repeat(1_100_000) }))
    expect(await post('/webhooks/nudj/acme', gen2(big, 'dlv-big'), big)).toMatchObject({ status: 413, json: { code: 'BODY_TOO_LARGE' } })
    const body = rewardBody('t')
    expect(await post('/webhooks/nudj/acme', { ...gen2(body, 'dlv-text'), 'content-type': 'text/plain' }, body)).toMatchObject({
      status: 415,
      json: { code: 'UNSUPPORTED_MEDIA_TYPE' },
    })
    const get = await post('/webhooks/nudj/acme', {}, '', 'GET')
    expect(get).toMatchObject({ status: 405, json: { code: 'METHOD_NOT_ALLOWED' } })
    expect(get.headers.allow).toBe('POST, PUT')
    expect(await totalRecords()).toBe(before)
  })

  it('sends security headers, never a redirect, and keeps metrics off the public port', async () => {
    const answer = await post('/webhooks/nudj/acme', {}, '', 'GET')
    expect(answer.headers).toMatchObject({ 'x-content-type-options': 'nosniff', 'cache-control': 'no-store', 'x-frame-options': 'DENY' })
    expect((await ingest.app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(404)
    // A trailing slash is accepted as it is, not redirected: Nudj follows no redirect.
    const body = rewardBody('slash')
    expect(await post('/webhooks/nudj/acme/', gen2(body, 'dlv-slash'), body)).toMatchObject({ status: 200 })
    const openapi = (await (await fetch(`${ingest.opsAddress}/openapi.json`)).json()) as { paths: Record<string, unknown> }
    expect(Object.keys(openapi.paths)).toEqual(['/webhooks/nudj/{source}', '/webhooks/nudj'])
    expect((await fetch(`${ingest.opsAddress}/readyz`)).status).toBe(200)
  })
})

describe('ingest: traffic from the simulator', () => {
  it('acknowledges every delivery of both generations, with duplicates and reordering, and stores each event', async () => {
    const before = await totalRecords()
    const report = await runSend({
      receiver: {
        url: `${ingest.address}/webhooks/nudj/acme`,
        secret: secrets.current,
        gen1Headers: { Authorization: `Bearer ${secrets.gen1}`, 'X-Webhook-Source': 'nudj-platform' },
      },
      count: 300,
      rate: 1000,
      concurrency: 20,
      seed: 21,
      duplicates: 0.05,
      reorder: 0.1,
      bad: 0.05,
    })
    expect(report.deliveries).toMatchObject({ gaveUp: 0, aborted: 0 })
    expect(report.deliveries.acknowledged).toBe(300 + report.duplicates)
    expect(report.bad.rejected).toBe(report.bad.sent)
    // One record per 200, none for the refused ones except bodies kept for inspection (400).
    const kept = report.statusCodes['400'] ?? 0
    expect((await totalRecords()) - before).toBe(report.deliveries.acknowledged + kept)
    // Nothing reached the logs that should not: no secret, no signature.
    const logs = ingest.logLines.join('\n')
    for (const secret of Object.values(secrets)) expect(logs).not.toContain(secret)
    expect(logs).not.toMatch(/sha256=[0-9a-f]{64}/)
  })

  it('acknowledges simulator traffic signed with Standard Webhooks', async () => {
    const report = await runSend({
      receiver: { url: `${ingest.address}/webhooks/nudj/acme`, secret: secrets.standard, gen2Scheme: 'standard-webhooks', gen1Headers: {} },
      count: 100,
      rate: 1000,
      concurrency: 10,
      gen1Share: 0,
      bad: 0.1,
    })
    expect(report.deliveries.acknowledged).toBe(100 + report.duplicates)
    expect(report.bad.rejected).toBe(report.bad.sent)
    const metrics = await (await fetch(`${ingest.opsAddress}/metrics`)).text()
    expect(metrics).toMatch(
      /webhooks_ingest_verified_total\{source="acme",scheme="standard-webhooks",secret_id="sw",service="ingest"\} \d{3}/,
    )
  })
})
