import type { Random } from '@nudj-webhooks/nudj-sim'

/** Bodies that are not what a webhook should be; each stays under the body limit unless it says otherwise. */

export function randomBytes(random: Random, min: number, max: number): Buffer {
  const bytes = Buffer.alloc(random.int(min, max))
  for (let i = 0; i < bytes.length; i += 1) bytes[i] = random.int(0, 255)
  return bytes
}

/** A real event cut short, or with a few bytes changed, dropped or repeated. */
export function brokenJson(random: Random, good: Buffer): Buffer {
  switch (random.int(0, 5)) {
    case 0:
      return good.subarray(0, random.int(0, Math.max(0, good.length - 1)))
    case 1: {
      const copy = Buffer.from(good)
      for (let n = random.int(1, 8); n > 0; n -= 1)
        copy[random.int(0, copy.length - 1)] = random.pick([0x7b, 0x7d, 0x22, 0x2c, 0x3a, 0x5b, 0x5c, 0x00])
      return copy
    }
    case 2:
      return Buffer.concat([good, Buffer.from(random.pick(['}', ',', ']', ' garbage', '\u0000', '{"a":1}']))])
    case 3:
      return Buffer.from(
        random.pick([
          '',
          ' ',
          'null',
          'true',
          '123',
          '"text"',
          '[]',
          '[1,2,3]',
          '{',
          '}',
          '{"a":}',
          '{"a" 1}',
          "{'a':1}",
          '{"a":1,}',
          'NaN',
          '{"a":Infinity}',
          '\ufeff{}',
          '{"a":"\\u12"}',
        ]),
      )
    case 4: {
      const at = random.int(0, good.length)
      return Buffer.concat([good.subarray(0, at), good.subarray(at, at + random.int(1, 40)), good.subarray(at)])
    }
    default: {
      const at = random.int(0, Math.max(0, good.length - 10))
      return Buffer.concat([good.subarray(0, at), good.subarray(at + random.int(1, 10))])
    }
  }
}

/** Arrays or objects nested up to hundreds of thousands deep (parsers that recurse overflow their stack). */
export function deepNesting(random: Random): Buffer {
  const depth = random.pick([100, 1000, 10_000, 100_000, 400_000])
  const [open, close] = random.pick([
    ['[', ']'],
    ['{"a":', '}'],
    ['{"data":[', ']}'],
  ] as const)
  const closed = random.chance(0.7) ? close.repeat(depth) : ''
  return Buffer.from(`${open.repeat(depth)}1${closed}`.slice(0, 1_000_000))
}

export function hugeNumber(random: Random): Buffer {
  const digits = '9'.repeat(random.pick([20, 400, 10_000, 300_000]))
  const value = random.pick([digits, `-${digits}`, `1e${digits.slice(0, 12)}`, `0.${digits}`, `${digits}e-999999`, '1e400', '-0'])
  return Buffer.from(`{"event":"user.points.earned","timestamp":${value},"data":{"points":${value},"id":${value}}}`)
}

export function hugeString(random: Random): Buffer {
  const length = random.pick([10_000, 100_000, 500_000, 1_000_000])
  const unit = random.pick(['a', '\\u0000', 'é', '\\ud83d\\ude00', '"', '\\\\'])
  return Buffer.from(`{"event":"${unit.repeat(Math.floor(length / unit.length))}","data":{}}`.slice(0, 1_040_000))
}

const invalidUtf8 = [
  [0xc3, 0x28],
  [0xa0, 0xa1],
  [0xe2, 0x28, 0xa1],
  [0xf0, 0x28, 0x8c, 0xbc],
  [0xc0, 0xaf],
  [0xed, 0xa0, 0x80],
  [0xf8, 0x88, 0x80, 0x80, 0x80],
  [0xff],
  [0xfe, 0xff],
]

/** A real event with invalid UTF-8 sequences (overlong, surrogates, stray continuation bytes) inside its strings. */
export function invalidUtf8Body(random: Random, good: Buffer): Buffer {
  const parts: Buffer[] = []
  let last = 0
  for (let n = random.int(1, 4); n > 0; n -= 1) {
    const at = good.indexOf(0x22, random.int(last, good.length - 1)) // a quote: the bad bytes go inside a string
    if (at < 0) break
    parts.push(good.subarray(last, at + 1), Buffer.from(random.pick(invalidUtf8)))
    last = at + 1
  }
  parts.push(good.subarray(last))
  return Buffer.concat(parts)
}

const pollutingKeys = ['__proto__', 'constructor', 'prototype', '__defineGetter__', 'hasOwnProperty', 'toString', 'valueOf']

/** An event whose objects carry prototype-pollution keys, top level and nested. */
export function prototypePollution(random: Random, good: Buffer): Buffer {
  const key = random.pick(pollutingKeys)
  const payload = random.pick([
    `{"polluted":true,"isAdmin":true}`,
    `{"prototype":{"polluted":true}}`,
    `null`,
    `"x"`,
    `{"toString":"boom","valueOf":1}`,
  ])
  const text = good.toString('utf8')
  const where = random.int(0, 2)
  if (where === 0) return Buffer.from(`{"${key}":${payload},${text.slice(1)}`)
  if (where === 1) return Buffer.from(text.replace('"data":{', `"data":{"${key}":${payload},`))
  return Buffer.from(`{"event":"${key}","${key}":${payload},"data":{"${key}":{"${key}":${payload}}}}`)
}
