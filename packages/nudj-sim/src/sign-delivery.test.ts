import { createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { gen1Headers, gen2Headers, signGen2, standardWebhooksHeaders } from './sign-delivery.ts'

const body = Buffer.from('{"event":"reward.earned","timestamp":"2026-04-17T10:00:00.000Z","data":{"reward":{"id":"rw_1"}}}')

describe('signGen2', () => {
  it('matches a known answer computed with openssl dgst -sha256 -hmac', () => {
    // printf '%s' "$body" | openssl dgst -sha256 -hmac 'whsec_test_secret'
    expect(signGen2(body, 'whsec_test_secret')).toBe('sha256=74ca59c598b108b913dd397110de99859f3998e17f5dab7edc144e57d9160314')
  })

  it('is the hex HMAC-SHA256 of the raw bytes keyed with the whole secret, whsec_ prefix included', () => {
    const raw = Buffer.from([0x7b, 0x22, 0xc3, 0xa9, 0x22, 0x3a, 0x31, 0x7d, 0x0a]) // '{"é":1}\n', not re-serialised
    const expected = createHmac('sha256', Buffer.from('whsec_abc', 'utf8')).update(raw).digest('hex')
    expect(signGen2(raw, 'whsec_abc')).toBe(`sha256=${expected}`)
    const withoutPrefix = createHmac('sha256', 'abc').update(raw).digest('hex')
    expect(signGen2(raw, 'whsec_abc')).not.toBe(`sha256=${withoutPrefix}`)
  })

  it('changes when a single byte of the body changes', () => {
    const other = Buffer.from(body)
    other[other.length - 2] = 0x20
    expect(signGen2(other, 'whsec_test_secret')).not.toBe(signGen2(body, 'whsec_test_secret'))
  })
})

describe('gen2Headers', () => {
  it('carries the content type, signature, event and delivery id', () => {
    const headers = gen2Headers({ body, secret: 's3cret', event: 'reward.earned', deliveryId: 'dlv_1' })
    expect(headers).toEqual({
      'content-type': 'application/json',
      'x-nudj-signature': `sha256=${createHmac('sha256', 's3cret').update(body).digest('hex')}`,
      'x-nudj-event': 'reward.earned',
      'x-nudj-delivery-id': 'dlv_1',
    })
  })
})

describe('gen1Headers', () => {
  it('sends the configured static headers verbatim next to the JSON content type', () => {
    const configured = { Authorization: 'Bearer your-webhook-secret', 'X-Webhook-Source': 'nudj-platform' }
    expect(gen1Headers(configured)).toEqual({ 'content-type': 'application/json', ...configured })
  })

  it('lets a configured content type replace the default instead of doubling it', () => {
    expect(gen1Headers({ 'Content-Type': 'application/json; charset=utf-8' })).toEqual({
      'Content-Type': 'application/json; charset=utf-8',
    })
  })
})

describe('standardWebhooksHeaders', () => {
  it('matches the example of the Standard Webhooks specification', () => {
    const headers = standardWebhooksHeaders({
      body: Buffer.from('{"test": 2432232314}'),
      secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
      timestampSeconds: 1614265330,
    })
    expect(headers).toEqual({
      'content-type': 'application/json',
      'webhook-id': 'msg_p5jXN8AQM9LWM0D4loKWxJek',
      'webhook-timestamp': '1614265330',
      // The same value openssl gives for HMAC-SHA256 with the base64-decoded key.
      'webhook-signature': 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    })
  })

  it('signs id, timestamp and body with the base64-decoded key, with or without the whsec_ prefix', () => {
    const key = Buffer.from('a secret key of some length')
    const input = { body, id: 'msg_1', timestampSeconds: 1_700_000_000 }
    const expected = createHmac('sha256', key)
      .update(`msg_1.1700000000.${body.toString('utf8')}`)
      .digest('base64')
    expect(standardWebhooksHeaders({ ...input, secret: `whsec_${key.toString('base64')}` })['webhook-signature']).toBe(`v1,${expected}`)
    expect(standardWebhooksHeaders({ ...input, secret: key.toString('base64') })['webhook-signature']).toBe(`v1,${expected}`)
  })
})
