import { SchemaRegistry } from '@kafkajs/confluent-schema-registry'
import type { RegistryAuth } from '../connection-security.ts'
import { printableBytes } from './printable-bytes.ts'

export type DecodedValue = { kind: 'decoded'; schemaId: number; value: unknown } | { kind: 'raw'; reason: string; base64: string }

/**
 * Decodes a value in the Confluent wire format (magic byte 0, 4-byte schema id, payload)
 * through the registry, whatever its schema; anything else stays raw, as base64. Bytes in
 * the decoded value become text when printable, else `base64:...`.
 */
export async function decodeRegistryValue(
  value: Buffer | null,
  registryUrl: string | undefined,
  auth: RegistryAuth | undefined,
): Promise<DecodedValue> {
  const raw = (reason: string): DecodedValue => ({ kind: 'raw', reason, base64: value?.toString('base64') ?? '' })
  if (value === null) return raw('no value (a tombstone)')
  if (value.length < 5 || value[0] !== 0) return raw('not in the Confluent wire format')
  const schemaId = value.readInt32BE(1)
  if (registryUrl === undefined) return raw(`schema id ${schemaId}; set SCHEMA_REGISTRY_URL to decode it`)
  const registry = new SchemaRegistry({ host: registryUrl, auth })
  try {
    return { kind: 'decoded', schemaId, value: displayable((await registry.decode(value)) as unknown) }
  } catch (err) {
    return raw(`schema id ${schemaId}; the registry at ${registryUrl} could not decode it: ${(err as Error).message}`)
  }
}

/** The decoded value with Buffers as text or base64, ready for JSON.stringify. */
export function displayable(value: unknown): unknown {
  if (Buffer.isBuffer(value)) return printableBytes(value)
  if (typeof value === 'bigint') return value.toString()
  if (value instanceof Date) return value.toISOString()
  if (Array.isArray(value)) return value.map(displayable)
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, displayable(v)]))
  }
  return value
}
