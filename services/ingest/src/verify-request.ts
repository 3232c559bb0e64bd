import { createHash, createHmac, timingSafeEqual } from 'node:crypto'
import type { AuthScheme, Source } from './source.ts'

export type Headers = Record<string, string | string[] | undefined>

export const verificationFailures = [
  'MISSING_SIGNATURE',
  'MALFORMED_SIGNATURE',
  'BAD_SIGNATURE',
  'BAD_CREDENTIALS',
  'TIMESTAMP_OUT_OF_TOLERANCE',
  'MISSING_TIMESTAMP',
  'MALFORMED_TIMESTAMP',
  'SCHEME_NOT_ALLOWED',
] as const
export type VerificationFailure = (typeof verificationFailures)[number]

export type Verification = { ok: true; scheme: AuthScheme; secretId: string } | { ok: false; reason: VerificationFailure; detail: string }

const signaturePattern = /^sha256=([0-9a-fA-F]{64})$/

/**
 * Decides whether a request comes from Nudj, over the raw body bytes, by the schemes the
 * source allows: gen-2 `X-Nudj-Signature` (any active secret, for rotation), Standard
 * Webhooks, or gen-1 static headers, the last only for a source whose `schemes` list
 * gen1-static (opt-in: elsewhere gen-1 headers alone get MISSING_SIGNATURE). Every comparison
 * takes the same time whatever the input, so timing says nothing about a secret.
 */
export function verifyRequest(source: Source, headers: Headers, body: Buffer, nowSeconds: number): Verification {
  const signature = one(headers['x-nudj-signature'])
  if (signature !== undefined && source.schemes.has('gen2-hmac')) return verifyGen2(source, signature, body)
  const standard = one(headers['webhook-signature'])
  if (standard !== undefined && source.schemes.has('standard-webhooks')) return verifyStandard(source, headers, standard, body, nowSeconds)
  if (source.schemes.has('gen1-static')) return verifyGen1(source, headers)
  if (signature !== undefined || standard !== undefined) {
    return { ok: false, reason: 'SCHEME_NOT_ALLOWED', detail: `source ${source.name} does not accept this signature scheme` }
  }
  return { ok: false, reason: 'MISSING_SIGNATURE', detail: 'no X-Nudj-Signature (or other accepted credentials) on the request' }
}

function verifyGen2(source: Source, signature: string, body: Buffer): Verification {
  const match = signaturePattern.exec(signature)
  if (!match) return { ok: false, reason: 'MALFORMED_SIGNATURE', detail: 'X-Nudj-Signature must be sha256=<64 hex digits>' }
  const given = Buffer.from(match[1] as string, 'hex')
  // Every secret is tried even after a match, so the time taken does not say which one.
  let matched: string | undefined
  for (const { id, key } of source.gen2Secrets) {
    const expected = createHmac('sha256', key).update(body).digest()
    if (timingSafeEqual(expected, given) && matched === undefined) matched = id
  }
  return matched === undefined
    ? { ok: false, reason: 'BAD_SIGNATURE', detail: 'X-Nudj-Signature does not match the body under any active secret' }
    : { ok: true, scheme: 'gen2-hmac', secretId: matched }
}

function verifyStandard(source: Source, headers: Headers, signatures: string, body: Buffer, nowSeconds: number): Verification {
  const id = one(headers['webhook-id'])
  const timestamp = one(headers['webhook-timestamp'])
  if (!id || !timestamp || !/^\d+$/.test(timestamp)) {
    return { ok: false, reason: 'MALFORMED_SIGNATURE', detail: 'Standard Webhooks needs webhook-id and a numeric webhook-timestamp' }
  }
  const { secrets, toleranceSeconds } = source.standardWebhooks
  if (Math.abs(nowSeconds - Number(timestamp)) > toleranceSeconds) {
    return { ok: false, reason: 'TIMESTAMP_OUT_OF_TOLERANCE', detail: `webhook-timestamp is more than ${toleranceSeconds} s from now` }
  }
  const given = signatures
    .split(' ')
    .filter((s) => s.startsWith('v1,'))
    .map((s) => Buffer.from(s.slice(3), 'base64'))
  const signed = Buffer.concat([Buffer.from(`${id}.${timestamp}.`), body])
  let matched: string | undefined
  for (const { id: secretId, key } of secrets) {
    const expected = createHmac('sha256', key).update(signed).digest()
    for (const candidate of given) {
      if (candidate.length === expected.length && timingSafeEqual(candidate, expected) && matched === undefined) matched = secretId
    }
  }
  return matched === undefined
    ? { ok: false, reason: 'BAD_SIGNATURE', detail: 'no webhook-signature matches under any active secret' }
    : { ok: true, scheme: 'standard-webhooks', secretId: matched }
}

function verifyGen1(source: Source, headers: Headers): Verification {
  // Public headers alone (X-Webhook-Source) prove nothing, and an empty secret matches a missing
  // header: config refuses such a source, and so does this.
  const secrets = source.gen1Headers.filter((h) => h.secret)
  if (secrets.length === 0 || secrets.some((h) => h.value.length === 0)) {
    return { ok: false, reason: 'BAD_CREDENTIALS', detail: `source ${source.name} has no secret gen-1 header configured` }
  }
  // Comparing digests keeps the comparison constant-time even when lengths differ.
  const digest = (value: Buffer | string): Buffer => createHash('sha256').update(value).digest()
  let allMatch = true
  for (const { name, value } of source.gen1Headers) {
    const given = one(headers[name]) ?? ''
    allMatch = timingSafeEqual(digest(given), digest(value)) && allMatch
  }
  return allMatch
    ? { ok: true, scheme: 'gen1-static', secretId: 'static-headers' }
    : { ok: false, reason: 'BAD_CREDENTIALS', detail: "the configured static headers (e.g. Authorization) are missing or don't match" }
}

function one(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value
}
