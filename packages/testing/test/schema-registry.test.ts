// Proves the Confluent-compatible registry API the project relies on, through the same
// client library the services use.
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry'
import { describe, expect, inject, it } from 'vitest'
import { uniqueName } from '../src/index.ts'

const infra = inject('infra')

const schema = (namespace: string): string =>
  JSON.stringify({
    type: 'record',
    name: 'Greeting',
    namespace,
    fields: [
      { name: 'id', type: 'string' },
      { name: 'count', type: 'int' },
      { name: 'body', type: 'bytes' },
    ],
  })

describe('schema registry (Confluent API)', () => {
  it('registers an Avro schema under the topic-name subject, encodes, decodes and finds ids', async () => {
    const registry = new SchemaRegistry({ host: infra.schemaRegistryUrl })
    const topic = uniqueName('proof')
    const subject = `${topic}-value` // TopicNameStrategy
    const avro = schema(`proof.${topic}`)

    const { id } = await registry.register({ type: SchemaType.AVRO, schema: avro }, { subject })
    const value = { id: 'webhook-1', count: 3, body: Buffer.from('{"raw":true}') }
    const encoded = await registry.encode(id, value)

    // Confluent wire format: magic byte 0, then the schema id as a 32-bit big-endian integer.
    expect(encoded[0]).toBe(0)
    expect(encoded.readInt32BE(1)).toBe(id)
    expect(await registry.decode(encoded)).toEqual(value)

    expect(await registry.getLatestSchemaId(subject)).toBe(id)
    expect(await registry.getRegistryIdBySchema(subject, { type: SchemaType.AVRO, schema: avro })).toBe(id)
  })

  it('registering the same schema twice answers the same id', async () => {
    const registry = new SchemaRegistry({ host: infra.schemaRegistryUrl })
    const subject = `${uniqueName('proof')}-value`
    const avro = schema('proof.same')
    const first = await registry.register({ type: SchemaType.AVRO, schema: avro }, { subject })
    const second = await registry.register({ type: SchemaType.AVRO, schema: avro }, { subject })
    expect(second.id).toBe(first.id)
  })
})
