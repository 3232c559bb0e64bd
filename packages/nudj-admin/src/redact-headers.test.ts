import { describe, expect, it } from 'vitest'
import { redactHeaders } from './redact-headers.ts'

describe('redactHeaders', () => {
  it('hides secret values, keeps the auth scheme and leaves plain headers alone', () => {
    expect(
      redactHeaders({
        Authorization: 'Bearer your-webhook-secret',
        'X-Webhook-Source': 'nudj-platform',
        'X-API-Key': 'your-secret-key',
        'x-nudj-signature': 'sha256=abc',
      }),
    ).toEqual({ Authorization: 'Bearer ***', 'X-Webhook-Source': 'nudj-platform', 'X-API-Key': '***', 'x-nudj-signature': '***' })
  })
})
