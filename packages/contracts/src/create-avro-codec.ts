import { SchemaType, type SchemaRegistry } from '@kafkajs/confluent-schema-registry'
import avro from 'avsc'

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
  // The resolver for each writer schema is built once: building it per record (what the
  // registry client does when given a reader schema) cost a consumer ~17% of its CPU.
  const reader = avro.Type.forSchema(JSON.parse(schemaText) as avro.Schema)
  const resolvers = new Map<number, Promise<avro.Resolver>>()

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

  function resolverFor(id: number): Promise<avro.Resolver> {
    let resolver = resolvers.get(id)
    if (!resolver) {
      resolver = registry.getSchema(id).then(
        (writer) => reader.createResolver(writer as avro.Type),
        (err: unknown) => {
          throw registryFailure(id, err)
        },
      )
      void resolver.catch(() => resolvers.delete(id))
      resolvers.set(id, resolver)
    }
    return resolver
  }

  return {
    register,
    encode: async (topic, value) => await registry.encode(await register(topic), value),
    async decode(value) {
      // Confluent wire format: magic byte 0, the writer's schema id (4 bytes), Avro binary.
      if (value.length < 5 || value[0] !== 0) throw new Error('value is not in the Confluent wire format')
      const resolver = await resolverFor(value.readUInt32BE(1))
      return reader.fromBuffer(value.subarray(5), resolver) as T
    },
  }
}

/**
 * Why a writer schema could not be read. An id the registry does not know (404) is a fact
 * about the record: it fails the same way every time. Anything else (no connection, a
 * timeout, a 5xx) is the registry being unavailable for everyone, marked `dependencyDown`
 * so that a consumer pauses and tries again rather than dead-lettering healthy records.
 */
function registryFailure(id: number, err: unknown): Error {
  const message = err instanceof Error ? err.message : String(err)
  if ((err as { status?: unknown }).status === 404) return new Error(`schema id ${id} is not in the registry: ${message}`, { cause: err })
  return Object.assign(new Error(`schema registry unavailable while reading schema id ${id}: ${message}`, { cause: err }), {
    code: 'SCHEMA_REGISTRY_UNAVAILABLE',
    dependencyDown: true,
  })
}
