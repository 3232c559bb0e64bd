import { readdirSync, readFileSync } from 'node:fs'
import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { catalog } from './catalog.ts'
import { ContractError } from './contract-error.ts'
import { normalizeNudjWebhook, type NudjEvent } from './normalize-nudj-webhook.ts'
import { validateNudjEvent } from './validate-nudj-event.ts'

type Fixture = { description: string; headers: Record<string, string>; body: Record<string, unknown>; expect: Partial<NudjEvent> }

const fixturesDir = new URL('../fixtures/', import.meta.url)
const fixtures = ['gen1', 'gen2', 'docs'].flatMap((dir) =>
  readdirSync(new URL(`${dir}/`, fixturesDir)).map((file) => {
    const fixture = JSON.parse(readFileSync(new URL(`${dir}/${file}`, fixturesDir), 'utf8')) as Fixture
    return { name: `${dir}/${file.replace(/\.json$/, '')}`, ...fixture }
  }),
)

describe('normalizeNudjWebhook over every fixture', () => {
  it('has a fixture for every catalog event of both generations', () => {
    const covered = new Set(fixtures.filter((f) => !f.name.startsWith('docs/')).map((f) => f.name.split('/')[1]))
    expect(catalog.map((e) => e.name).filter((name) => !covered.has(name))).toEqual([])
  })

  it.each(fixtures)('$name: $description', ({ headers, body, expect: expected }) => {
    const event = normalizeNudjWebhook(Buffer.from(JSON.stringify(body)), headers, { source: 'acme' })
    const { user, entities, ...rest } = expected
    expect(event).toMatchObject(rest)
    expect(event.user).toEqual(user)
    expect(event.entities).toEqual(entities)
    expect(event.body).toEqual(body)
    expect(event.known).toBe(event.category !== 'unknown')
    // Every fixture is a valid example of its event.
    expect(validateNudjEvent(event)).toEqual([])
  })
})

describe('normalizeNudjWebhook', () => {
  it('takes the webhook id from X-Nudj-Delivery-Id first, then the body id, then a hash of source and body', () => {
    const body = JSON.stringify({ id: 'body-id', eventSubCategory: 'post-like', payload: { postId: 'p1' } })
    expect(normalizeNudjWebhook(body, { 'X-Nudj-Delivery-Id': 'dlv-1' }).webhookId).toBe('dlv-1')
    expect(normalizeNudjWebhook(body, {}).webhookId).toBe('body-id')

    const gen2 = JSON.stringify({ event: 'points.awarded', timestamp: '2026-04-17T14:30:00.000Z', data: {} })
    const expected = createHash('sha256').update('acme\n').update(gen2).digest('hex')
    const hashed = normalizeNudjWebhook(Buffer.from(gen2), {}, { source: 'acme' })
    expect(hashed).toMatchObject({ webhookId: `sha256:${expected}`, webhookIdSource: 'body-hash' })
    expect(normalizeNudjWebhook(gen2, {}, { source: 'other' }).webhookId).not.toBe(hashed.webhookId)
  })

  it('takes the event name from X-Nudj-Event when the body names none', () => {
    const event = normalizeNudjWebhook('{"data":{"user":{"id":"u1"}}}', {
      'x-nudj-event': 'reward.expired',
      'x-nudj-signature': 'sha256=00',
    })
    expect(event).toMatchObject({ generation: 'gen2', event: 'reward.expired', canonical: 'reward.expired', category: 'reward' })
  })

  it('never throws for an unknown event or unexpected fields in a JSON object', () => {
    const body = {
      id: 'x1',
      eventCategory: 'gamification',
      eventSubCategory: 'xp-gained',
      userId: 42,
      payload: 'not an object',
      createdAt: 'yesterday',
      extra: [1, 2],
    }
    const event = normalizeNudjWebhook(JSON.stringify(body), {})
    expect(event).toMatchObject({
      generation: 'gen1',
      event: 'xp-gained',
      canonical: 'xp-gained',
      category: 'unknown',
      known: false,
      user: { id: '42' },
    })
    expect(event.occurredAt).toBeUndefined()
    expect(validateNudjEvent(event)).toEqual([])
  })

  it('keeps __proto__ keys as plain data', () => {
    const event = normalizeNudjWebhook('{"event":"reward.earned","__proto__":{"polluted":true},"data":{"__proto__":{"x":1}}}', {})
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect(Object.keys(event.body)).toContain('__proto__')
  })

  it.each([
    ['not JSON', '{"event":', 'BODY_NOT_JSON', /not JSON/],
    ['empty', '', 'BODY_NOT_JSON', /not JSON/],
    ['an array', '[{"event":"reward.earned"}]', 'BODY_NOT_OBJECT', /an array, not an object/],
    ['null', 'null', 'BODY_NOT_OBJECT', /null, not an object/],
    ['a string', '"reward.earned"', 'BODY_NOT_OBJECT', /a string, not an object/],
    ['invalid UTF-8', Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x7d]), 'BODY_NOT_UTF8', /not valid UTF-8/],
  ])('rejects a body that is %s with a precise error', (_, body, code, message) => {
    const read = (): NudjEvent => normalizeNudjWebhook(body, {})
    expect(read).toThrow(ContractError)
    expect(read).toThrow(message)
    try {
      read()
    } catch (err) {
      expect(err).toMatchObject({ code, retryable: false })
    }
  })
})
