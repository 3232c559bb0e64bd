import { describe, expect, it } from 'vitest'
import { redactUrl } from './redact-url.ts'

describe('redactUrl', () => {
  it('keeps the path and every parameter name, and replaces every value', () => {
    expect(redactUrl('/v1/stream?token=eyJhbGciOi.secret&lastId=42')).toBe('/v1/stream?token=[redacted]&lastId=[redacted]')
    expect(redactUrl('/webhooks/nudj/acme?flag&=x&&a=1=2')).toBe('/webhooks/nudj/acme?flag=[redacted]&=[redacted]&a=[redacted]')
  })

  it('leaves a URL without a query alone', () => {
    expect(redactUrl('/webhooks/nudj/acme')).toBe('/webhooks/nudj/acme')
  })
})
