import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry'
import { freePort, uniqueName } from '@nudj-webhooks/testing'
import { describe, expect, inject, it } from 'vitest'
import {
  ContractError,
  createEnvelopeCodec,
  createNudjDecoder,
  nudjEventProblems,
  validateNudjEvent,
  webhookReceivedSchema,
  type WebhookReceived,
} from '../src/index.ts'

const infra = inject('infra')
const registry = new SchemaRegistry({ host: infra.schemaRegistryUrl })

const envelope = (): WebhookReceived => ({
  webhookId: 'dlv_123',
  source: 'acme',
  event: 'reward.earned',
  canonicalEvent: 'reward.earned',
  category: 'reward',
  generation: 'gen2',
  receivedAt: Date.parse('2026-04-17T14:30:01.250Z'),
  authScheme: 'gen2-hmac',
  headers: { 'x-nudj-event': 'reward.earned', 'content-type': 'application/json' },
  // Bytes that a re-serialisation would change: spacing, key order, an escaped slash.
  body: Buffer.from('{ "event":"reward.earned",  "data":{"url":"https:\\/\\/x"} }'),
})

describe('WebhookReceived codec', () => {
  it('registers under <topic>-value and round-trips an envelope with the body byte for byte', async () => {
    const codec = createEnvelopeCodec(registry)
    const topic = `nudj.webhooks.${uniqueName('reward')}`
    const id = await codec.register(topic)
    expect(await registry.getLatestSchemaId(`${topic}-value`)).toBe(id)
    expect(await codec.register(topic)).toBe(id)

    const value = await codec.encode(topic, envelope())
    expect(value.readInt32BE(1)).toBe(id)
    const decoded = await codec.decode(value)
    expect(decoded).toEqual(envelope())
    expect(decoded.body.equals(envelope().body)).toBe(true)
  })

  it('reads records written by a newer compatible version of the schema', async () => {
    const topic = `nudj.webhooks.${uniqueName('reward')}`
    const codec = createEnvelopeCodec(registry)
    await codec.register(topic)
    const v2 = JSON.parse(webhookReceivedSchema) as { fields: object[] }
    v2.fields.push({ name: 'traceId', type: ['null', 'string'], default: null })
    const { id } = await registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(v2) }, { subject: `${topic}-value` })

    const written = await registry.encode(id, { ...envelope(), traceId: 'trace-1' })
    expect(await codec.decode(written)).toEqual(envelope())
  })

  it('refuses bytes that are not in the Confluent wire format, and an unknown schema id', async () => {
    const codec = createEnvelopeCodec(registry)
    await expect(codec.decode(Buffer.from('{"event":"reward.earned"}'))).rejects.toThrow(/Confluent wire format/)
    const unknownId = Buffer.from([0, 0x7f, 0xff, 0xff, 0xff, 2, 0x61])
    await expect(codec.decode(unknownId)).rejects.toThrow(/schema id 2147483647 is not in the registry/)
    await expect(codec.decode(unknownId)).rejects.not.toHaveProperty('dependencyDown')
  })

  it('marks an unreachable registry as a dependency that is down, not as a bad record', async () => {
    const value = await createEnvelopeCodec(registry).encode(`nudj.webhooks.${uniqueName('reward')}`, envelope())
    const unreachable = createEnvelopeCodec(new SchemaRegistry({ host: `http://127.0.0.1:${await freePort()}` }))
    await expect(unreachable.decode(value)).rejects.toMatchObject({ code: 'SCHEMA_REGISTRY_UNAVAILABLE', dependencyDown: true })
  })

  it('the registry refuses an incompatible change to the subject', async () => {
    const topic = `nudj.webhooks.${uniqueName('reward')}`
    await createEnvelopeCodec(registry).register(topic)
    const broken = JSON.parse(webhookReceivedSchema) as { fields: { name: string }[] }
    broken.fields.push({ name: 'mandatory', type: 'string' } as { name: string })
    await expect(
      registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(broken) }, { subject: `${topic}-value` }),
    ).rejects.toThrow(/Incompatible/)
  })
})

describe('createNudjDecoder', () => {
  it("decodes a record into the envelope and its normalised event, and lists a bad event's problems one per line", async () => {
    const topic = `nudj.webhooks.${uniqueName('reward')}`
    const value = await createEnvelopeCodec(registry).encode(topic, {
      ...envelope(),
      body: Buffer.from(JSON.stringify({ event: 'reward.earned', timestamp: 'yesterday', data: { user: { id: 'u1' } } })),
    })
    const { event, envelope: decoded } = await createNudjDecoder(registry)(value)
    expect(decoded.webhookId).toBe('dlv_123')
    expect(event).toMatchObject({ generation: 'gen2', event: 'reward.earned', canonical: 'reward.earned' })
    expect(nudjEventProblems(event)).toEqual(validateNudjEvent(event).map((p) => `${p.path} ${p.message}`))
    expect(nudjEventProblems(event).some((line) => line.startsWith('timestamp '))).toBe(true)
  })

  it('throws a ContractError for a body that is not a JSON object', async () => {
    const value = await createEnvelopeCodec(registry).encode(`nudj.webhooks.${uniqueName('reward')}`, {
      ...envelope(),
      body: Buffer.from('[1,2]'),
    })
    await expect(createNudjDecoder(registry)(value)).rejects.toBeInstanceOf(ContractError)
  })
})
