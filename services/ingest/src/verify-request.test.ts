import { createSecretKey } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import type { AuthScheme, Source } from './source.ts'
import { verifyRequest } from './verify-request.ts'

const token = 'Bearer 0123456789abcdef'
const source = (schemes: AuthScheme[], gen1: Source['gen1Headers'] = []): Source => ({
  name: 'acme',
  schemes: new Set(schemes),
  gen2Secrets: [{ id: 'k', key: createSecretKey(Buffer.from('whsec_0123456789abcdef')) }],
  gen1Headers: gen1,
  standardWebhooks: { secrets: [], toleranceSeconds: 300 },
})
const configured = [
  { name: 'authorization', value: Buffer.from(token), secret: true },
  { name: 'x-webhook-source', value: Buffer.from('nudj-platform'), secret: false },
]
const body = Buffer.from('{"id":"gen1-1"}')
// As Fastify gives them: names lower-case.
const headers = { 'content-type': 'application/json', authorization: token, 'x-webhook-source': 'nudj-platform' }

describe('verifyRequest: gen-1 static headers are opt-in per source', () => {
  it('accepts the right gen-1 headers only where the source lists gen1-static', () => {
    expect(verifyRequest(source(['gen2-hmac', 'gen1-static'], configured), headers, body, 0)).toMatchObject({
      ok: true,
      scheme: 'gen1-static',
    })
    // The same correct credentials, on a source that has them configured but does not list the scheme.
    expect(verifyRequest(source(['gen2-hmac'], configured), headers, body, 0)).toMatchObject({ ok: false, reason: 'MISSING_SIGNATURE' })
    expect(verifyRequest(source(['standard-webhooks'], configured), headers, body, 0)).toMatchObject({ ok: false })
  })

  it('never accepts public headers alone, nor an empty token, even from a source built that way', () => {
    const publicOnly = source(['gen1-static'], [configured[1]!])
    expect(verifyRequest(publicOnly, { 'x-webhook-source': 'nudj-platform' }, body, 0)).toMatchObject({
      ok: false,
      reason: 'BAD_CREDENTIALS',
    })
    expect(verifyRequest(source(['gen1-static'], []), {}, body, 0)).toMatchObject({ ok: false, reason: 'BAD_CREDENTIALS' })
    const emptyToken = source(['gen1-static'], [{ name: 'authorization', value: Buffer.alloc(0), secret: true }, configured[1]!])
    expect(verifyRequest(emptyToken, { 'x-webhook-source': 'nudj-platform' }, body, 0)).toMatchObject({
      ok: false,
      reason: 'BAD_CREDENTIALS',
    })
  })
})
