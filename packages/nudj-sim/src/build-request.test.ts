import { createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { buildGen2Event } from './build-event.ts'
import { buildRequest } from './build-request.ts'
import { corruptRequest } from './corrupt-request.ts'
import { createRandom } from './create-random.ts'
import { createWorld } from './create-world.ts'

const world = createWorld({ seed: 2 })
const event = buildGen2Event(world, 'reward.earned', { user: world.users[0]!, at: new Date('2026-04-17T14:30:00Z') })
const key = Buffer.from('standard-webhooks-test-key')
const secret = `whsec_${key.toString('base64')}`

/** The Standard Webhooks signature, computed here from the spec, not with the simulator's code. */
const expected = (headers: Record<string, string>, body: Buffer): string =>
  `v1,${createHmac('sha256', key).update(`${headers['webhook-id']}.${headers['webhook-timestamp']}.${body.toString()}`).digest('base64')}`

describe('buildRequest with Standard Webhooks', () => {
  it('signs gen-2 traffic with webhook-id, -timestamp and -signature, keeping the delivery id', () => {
    const request = buildRequest({ url: 'http://127.0.0.1:1/x', secret, gen2Scheme: 'standard-webhooks', gen1Headers: {} }, event)
    expect(request.headers).toMatchObject({
      'webhook-id': event.deliveryId,
      'x-nudj-delivery-id': event.deliveryId,
      'x-nudj-event': 'reward.earned',
    })
    expect(request.headers['webhook-signature']).toBe(expected(request.headers, request.body))
    expect(request.headers['x-nudj-signature']).toBeUndefined()
  })

  it('corrupts such requests so that only the named fault is wrong', () => {
    const request = buildRequest({ url: 'http://127.0.0.1:1/x', secret, gen2Scheme: 'standard-webhooks', gen1Headers: {} }, event)
    const random = createRandom(1)
    const wrong = corruptRequest(request, 'wrong-secret', secret, random)
    expect(wrong.headers['webhook-signature']).not.toBe(expected(wrong.headers, wrong.body))
    const notJson = corruptRequest(request, 'not-json', secret, random)
    expect(notJson.headers['webhook-signature']).toBe(expected(notJson.headers, notJson.body))
    const missing = corruptRequest(request, 'missing-headers', secret, random)
    expect(missing.headers['webhook-signature']).toBeUndefined()
  })
})
