import type { Random } from '@nudj-webhooks/nudj-sim'
import { frameRequest, rawRequest, type Header } from './frame-request.ts'
import type { HostileContext } from './hostile-requests.ts'
import type { WireRequest } from './raw-exchange.ts'

const json: Header = ['Content-Type', 'application/json']

function noise(random: Random): Header {
  return [`X-Flood-${random.hex(6)}`, random.hex(random.int(1, 64))]
}

function fakeSignature(ctx: HostileContext): Header {
  const hex = ctx.random.hex(64)
  ctx.sent('wrong signature', hex)
  return ['X-Nudj-Signature', `sha256=${hex}`]
}

type Generator = (ctx: HostileContext, path: string, good: Buffer) => WireRequest

/** Requests whose headers, framing, method, media type, path or pace are what is wrong. */
export const hostileFraming: Record<string, { weight: number; make: Generator }> = {
  'header-flood': {
    weight: 3,
    make: (ctx, path, good) => {
      const count = ctx.random.pick([100, 500, 2000, 5000])
      const headers: Header[] = [json, fakeSignature(ctx)]
      for (let i = 0; i < count; i += 1) headers.push(ctx.random.chance(0.1) ? fakeSignature(ctx) : noise(ctx.random))
      return frameRequest('header-flood', 'POST', path, headers, good, { reusable: false })
    },
  },
  'huge-header': {
    weight: 2,
    make: (ctx, path, good) => {
      const size = ctx.random.pick([8_000, 16_000, 64_000, 1_000_000])
      const name = ctx.random.pick(['X-Nudj-Signature', 'Authorization', 'X-Nudj-Delivery-Id', 'Cookie', 'X-Big'])
      return frameRequest('huge-header', 'POST', path, [json, [name, 'a'.repeat(size)]], good, { reusable: false })
    },
  },
  'bad-header-bytes': {
    weight: 2,
    make: (ctx, path, good) => {
      const value = ctx.random.pick([Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('a\u0000b'), Buffer.from('a\rb'), Buffer.from('\u007f')])
      const name = ctx.random.pick(['X-Nudj-Signature', 'X-Nudj-Event', 'X-Nudj-Delivery-Id', 'Content-Type', 'Bad Name', 'Ä'])
      return frameRequest('bad-header-bytes', 'POST', path, [json, [name, value]], good, { reusable: false })
    },
  },
  'slow-body': {
    weight: 0.3,
    make: (ctx, path, good) =>
      frameRequest('slow-body', 'POST', path, [json, fakeSignature(ctx)], good, { parts: 10, pauseMs: ctx.random.int(100, 300) }),
  },
  'slow-headers': {
    weight: 0.3,
    make: (ctx, path) => {
      const head = Buffer.from(`POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nX-Slow: `)
      const dribble = Array.from({ length: 8 }, () => Buffer.from(ctx.random.hex(4)))
      return {
        kind: 'slow-headers',
        method: 'POST',
        parts: [head, ...dribble],
        pauseMs: ctx.random.int(100, 300),
        abandon: true,
        reusable: false,
      }
    },
  },
  'truncated-body': {
    weight: 2,
    make: (ctx, path, good) =>
      frameRequest('truncated-body', 'POST', path, [json, fakeSignature(ctx)], good, { cutAt: ctx.random.int(0, good.length - 1) }),
  },
  'oversize-body': {
    weight: 0.4,
    make: (ctx, path) => {
      const body = Buffer.alloc(1024 * 1024 + ctx.random.int(1, 65_536), 0x20)
      return frameRequest('oversize-body', 'POST', path, [json, fakeSignature(ctx)], body, { reusable: false })
    },
  },
  'oversize-declared': {
    weight: 1,
    make: (ctx, path, good) =>
      frameRequest('oversize-declared', 'POST', path, [json, fakeSignature(ctx)], good, {
        contentLength: ctx.random.pick([2 ** 21, 2 ** 31, 10 ** 12, Number.MAX_SAFE_INTEGER]),
        reusable: false,
        ...(ctx.random.chance(0.5) ? { cutAt: good.length } : {}),
      }),
  },
  'bad-framing': {
    weight: 3,
    make: (ctx, path, good) => {
      const head = `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n`
      const variants = [
        `${head}Content-Length: ${good.length}\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
        `${head}Content-Length: ${good.length}\r\nContent-Length: ${good.length + 1}\r\n\r\n`,
        `${head}Content-Length: -1\r\n\r\n`,
        `${head}Content-Length: 1e3\r\n\r\n`,
        `${head}Transfer-Encoding: chunked\r\n\r\nzz\r\n${good.toString('latin1')}\r\n0\r\n\r\n`,
        `${head}Transfer-Encoding: chunked\r\n\r\n${(good.length + 5).toString(16)}\r\n${good.toString('latin1')}\r\n0\r\n\r\n`,
        `${head}Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n`,
        `${head}Transfer-Encoding: chunked\r\n\r\n${good.length.toString(16)}\r\n${good.toString('latin1')}\r\n0\r\n\r\n`,
        `${head}Content-Encoding: gzip\r\nContent-Length: ${good.length}\r\n\r\n${good.toString('latin1')}`,
        `${head}Expect: 100-continue\r\nContent-Length: ${good.length}\r\n\r\n${good.toString('latin1')}`,
      ]
      return rawRequest('bad-framing', Buffer.from(ctx.random.pick(variants), 'latin1'), false)
    },
  },
  'wrong-method': {
    weight: 5,
    make: (ctx, path, good) => {
      const method = ctx.random.pick(['GET', 'HEAD', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE', 'PROPFIND', 'CONNECT', 'FOO', 'post', 'P0ST'])
      const body = ctx.random.chance(0.5) && method !== 'HEAD' ? good : Buffer.alloc(0)
      return frameRequest('wrong-method', method, method === 'CONNECT' ? '127.0.0.1:80' : path, [json, fakeSignature(ctx)], body, {
        reusable: !['CONNECT', 'FOO', 'post', 'P0ST', 'TRACE', 'PROPFIND'].includes(method),
      })
    },
  },
  'wrong-media-type': {
    weight: 6,
    make: (ctx, path, good) => {
      const type = ctx.random.pick([
        'text/plain',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        'application/jsonx',
        'application/json; charset=utf-16',
        'application/xml',
        'application/*',
        '*/*',
        '',
        'application/json, text/plain',
        'application/vnd.api+json',
      ])
      const headers: Header[] = type === '' || ctx.random.chance(0.1) ? [fakeSignature(ctx)] : [['Content-Type', type], fakeSignature(ctx)]
      return frameRequest('wrong-media-type', 'POST', path, headers, good)
    },
  },
  'odd-path': {
    weight: 4,
    make: (ctx, _path, good) => {
      const path = ctx.random.pick([
        '/webhooks/nudj/unknown-source',
        '/webhooks/nudj/DEV',
        '/webhooks/nudj/dev/extra',
        '/webhooks/nudj/%2e%2e%2fdev',
        '/webhooks/nudj/../nudj/dev',
        `/webhooks/nudj/${'a'.repeat(5000)}`,
        '/webhooks/nudj/dev?x=1&x=2&__proto__[polluted]=1',
        '/webhooks/nudj/__proto__',
        '/webhooks/nudj/constructor',
        '/webhooks/nudj/%00',
        '/webhooks/nudj/%ff%fe',
        '//webhooks//nudj//dev',
        '/',
        '/metrics',
        '/openapi.json',
        '*',
        'http://127.0.0.1/webhooks/nudj/dev',
      ])
      return frameRequest('odd-path', 'POST', path, [json, fakeSignature(ctx)], good, { reusable: !path.includes('%00') })
    },
  },
}
