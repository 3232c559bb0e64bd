import { SchemaType, type DecodeOptions, type SchemaRegistry } from '@kafkajs/confluent-schema-registry'

export type AvroCodec<T> = {
  /** Registers the schema for a topic (subject `<topic>-value`) once; answers its id. */
  register: (topic: string) => Promise<number>
  /** Confluent wire format: magic byte, schema id, Avro binary. */
  encode: (topic: string, value: T) => Promise<Buffer>
  /** Decodes with the writer's schema from the registry, read as this version's shape. */
  decode: (value: Buffer) => Promise<T>
}

/**
 * A codec for one of the project's schemas over a Confluent-compatible registry.
 * Registration sets the subject's compatibility to BACKWARD, so the registry refuses an
 * incompatible change too.
 */
export function createAvroCodec<T>(registry: SchemaRegistry, schemaText: string): AvroCodec<T> {
  const schema = { type: SchemaType.AVRO as const, schema: schemaText }
  const ids = new Map<string, Promise<number>>()
  // Reading as this version's shape resolves records written with any compatible version.
  const decodeOptions = { [SchemaType.AVRO]: { readerSchema: JSON.parse(schemaText) as object } } as DecodeOptions

  function register(topic: string): Promise<number> {
    let id = ids.get(topic)
    if (!id) {
      id = registry.register(schema, { subject: `${topic}-value` }).then((r) => r.id)
      // A failed registration is tried again next time instead of being cached.
      void id.catch(() => ids.delete(topic))
      ids.set(topic, id)
    }
    return id
  }

  return {
    register,
    encode: async (topic, value) => await registry.encode(await register(topic), value),
    decode: async (value) => (await registry.decode(value, decodeOptions)) as T,
  }
}
