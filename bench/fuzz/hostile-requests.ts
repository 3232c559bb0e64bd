import { createHmac } from 'node:crypto'
import type { Random } from '@nudj-webhooks/nudj-sim'
import { brokenJson, deepNesting, hugeNumber, hugeString, invalidUtf8Body, prototypePollution, randomBytes } from './hostile-bodies.ts'
import { frameRequest, rawRequest, type Header } from './frame-request.ts'
import { hostileFraming } from './hostile-framing.ts'
import type { WireRequest } from './raw-exchange.ts'

export type HostileContext = {
  random: Random
  /** The dev source's path and the default-source path. */
  paths: string[]
  /** The real gen-2 secret: used only to make signatures that must still fail (other body, truncated). */
  secret: string
  /** Real events, to mutate. */
  goodBodies: Buffer[]
  /** Told every signature or credential value put on the wire, for the log scan. */
  sent: (label: string, value: string) => void
}

const json: Header = ['Content-Type', 'application/json']
const hmac = (secret: string, body: Buffer): string => createHmac('sha256', secret).update(body).digest('hex')

/** Headers that claim a signature: random, of another body, or under another secret; recorded for the scan. */
function wrongSignature(ctx: HostileContext, body: Buffer): Header[] {
  const { random } = ctx
  const hex = random.pick([
    () => random.hex(64),
    () => hmac(ctx.secret, Buffer.concat([body, Buffer.from(' ')])),
    () => hmac(`${ctx.secret}x`, body),
    () => hmac(ctx.secret.slice(0, -1), body),
    () => hmac(ctx.secret, body).toUpperCase().replace(/^./, 'G'),
  ])()
  ctx.sent('wrong signature', hex)
  return [
    json,
    ['X-Nudj-Signature', `sha256=${hex}`],
    ['X-Nudj-Event', 'user.points.earned'],
    ['X-Nudj-Delivery-Id', `dlv_${random.hex(24)}`],
  ]
}

function malformedSignature(ctx: HostileContext, body: Buffer): Header[] {
  const { random } = ctx
  const real = hmac(ctx.secret, body)
  const truncated = real.slice(0, random.int(1, 63))
  ctx.sent('truncated signature', real) // the whole one must not appear either
  const value = random.pick([
    `sha256=${truncated}`,
    truncated,
    `sha256=${real}${random.hex(2)}`,
    `sha1=${random.hex(40)}`,
    `md5=${random.hex(32)}`,
    'sha256=',
    '',
    ' ',
    `sha256=${Buffer.from(random.hex(64), 'hex').toString('base64')}`,
    `sha256= ${random.hex(64)}`,
    `sha256=${random.hex(64)},sha256=${random.hex(64)}`,
    `v1,${Buffer.from(random.hex(64), 'hex').toString('base64')}`,
    `sha256=${'z'.repeat(64)}`,
    `SHA256=${random.hex(64)}`,
  ])
  return [json, ['X-Nudj-Signature', value]]
}

function gen1Credentials(ctx: HostileContext): Header[] {
  const { random } = ctx
  const token = random.hex(random.pick([16, 32, 48]))
  ctx.sent('wrong bearer token', token)
  return random.pick([
    [json, ['Authorization', `Bearer ${token}`], ['X-Webhook-Source', 'nudj-platform']],
    [json, ['Authorization', `Bearer ${token}`]],
    [json, ['Authorization', `Basic ${Buffer.from(`a:${token}`).toString('base64')}`], ['X-Webhook-Source', 'nudj-platform']],
    [json, ['Authorization', ''], ['X-Webhook-Source', 'nudj-platform']],
    [json, ['X-Webhook-Source', random.pick(['nudj-platform', 'other', ''])]],
    [json, ['Authorization', `Bearer ${token}`], ['Authorization', `Bearer ${token}`], ['X-Webhook-Source', 'nudj-platform']],
  ] as Header[][])
}

type Generator = (ctx: HostileContext, path: string, good: Buffer) => WireRequest

/** Each kind of hostile request with its weight in the mix. */
export const hostileKinds: Record<string, { weight: number; make: Generator }> = {
  'random-bytes-body': {
    weight: 6,
    make: (ctx, path) =>
      frameRequest('random-bytes-body', 'POST', path, wrongSignature(ctx, Buffer.alloc(0)), randomBytes(ctx.random, 0, 4096)),
  },
  'broken-json': { weight: 8, make: (ctx, path, good) => sign('broken-json', ctx, path, brokenJson(ctx.random, good)) },
  'deep-nesting': { weight: 3, make: (ctx, path) => sign('deep-nesting', ctx, path, deepNesting(ctx.random)) },
  'huge-number': { weight: 3, make: (ctx, path) => sign('huge-number', ctx, path, hugeNumber(ctx.random)) },
  'huge-string': { weight: 1, make: (ctx, path) => sign('huge-string', ctx, path, hugeString(ctx.random)) },
  'invalid-utf8': { weight: 5, make: (ctx, path, good) => sign('invalid-utf8', ctx, path, invalidUtf8Body(ctx.random, good)) },
  'prototype-pollution': {
    weight: 6,
    make: (ctx, path, good) => sign('prototype-pollution', ctx, path, prototypePollution(ctx.random, good)),
  },
  'wrong-signature': {
    weight: 12,
    make: (ctx, path, good) => frameRequest('wrong-signature', 'POST', path, wrongSignature(ctx, good), good),
  },
  'malformed-signature': {
    weight: 10,
    make: (ctx, path, good) => frameRequest('malformed-signature', 'POST', path, malformedSignature(ctx, good), good),
  },
  'gen1-wrong-credentials': {
    weight: 8,
    make: (ctx, path, good) => frameRequest('gen1-wrong-credentials', ctx.random.pick(['POST', 'PUT']), path, gen1Credentials(ctx), good),
  },
  'no-credentials': { weight: 4, make: (_ctx, path, good) => frameRequest('no-credentials', 'POST', path, [json], good) },
  ...hostileFraming,
  'not-http': {
    weight: 1,
    make: (ctx) =>
      rawRequest(
        'not-http',
        ctx.random.pick([
          () => randomBytes(ctx.random, 1, 2048),
          () => Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'),
          () => Buffer.from('GET /\r\n'),
          () => Buffer.from(`POST /webhooks/nudj/dev HTTP/9.9\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}`),
          () => Buffer.from('\r\n\r\n\r\n'),
        ])(),
        ctx.random.chance(0.3),
      ),
  },
}

/** Signs nothing validly: a hostile body always goes with a wrong signature, so none may be stored. */
function sign(kind: string, ctx: HostileContext, path: string, body: Buffer): WireRequest {
  const headers = ctx.random.chance(0.75) ? wrongSignature(ctx, body) : gen1Credentials(ctx)
  return frameRequest(kind, 'POST', path, headers, body)
}

/** A generator of hostile requests in the weighted mix, repeatable from the random source's seed. */
export function createHostileRequests(ctx: HostileContext): () => WireRequest {
  const entries = Object.values(hostileKinds)
  const total = entries.reduce((sum, k) => sum + k.weight, 0)
  return () => {
    let roll = ctx.random.next() * total
    const entry = entries.find((k) => (roll -= k.weight) < 0) ?? entries[0]!
    return entry.make(ctx, ctx.random.pick(ctx.paths), ctx.random.pick(ctx.goodBodies))
  }
}
