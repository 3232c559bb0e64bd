import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'

type Json = Record<string, unknown>

/**
 * Writes, into `dir`, self-contained JSON schemas kubeconform can load offline with
 * `-schema-location dir/{{ .ResourceKind }}{{ .KindSuffix }}.json`:
 * - each built-in kind asked for, from kubernetes-validate's strict schemas, with its
 *   references to the shared definitions file made local (that file's `$id` otherwise sends
 *   the validator to the network);
 * - KEDA's ScaledObject, converted from the CRD's openAPIV3Schema, strict (no unknown fields);
 * - Strimzi's KafkaTopic from a hand-written schema, strict (no unknown fields): its CRD
 *   file is on no registry this project reaches. The test also runs the validator that
 *   @kubernetes-models/strimzi-kafka-operator generated from that CRD (types and ranges,
 *   but it lets unknown fields through), so each covers what the other misses.
 */
export function writeSchemas(dir: string, sources: { kubernetes: string; scaledObjectCrd: string }, builtinFiles: string[]): void {
  mkdirSync(dir, { recursive: true })
  const definitionsText = readFileSync(join(sources.kubernetes, '_definitions.json'), 'utf8').replaceAll(
    '"/api/_definitions.json#/$defs/',
    '"#/$defs/',
  )
  const definitions = (JSON.parse(definitionsText) as { $defs: Record<string, Json> }).$defs
  for (const file of builtinFiles) {
    const text = readFileSync(join(sources.kubernetes, file), 'utf8').replaceAll('"/api/_definitions.json#/$defs/', '"#/$defs/')
    const schema = JSON.parse(text) as Json
    schema.$defs = reachableDefinitions(text, definitions)
    writeFileSync(join(dir, file), JSON.stringify(schema))
  }
  writeFileSync(join(dir, 'scaledobject-keda-v1alpha1.json'), JSON.stringify(crdSchema(sources.scaledObjectCrd, 'v1alpha1')))
  writeFileSync(join(dir, 'kafkatopic-kafka-v1beta2.json'), JSON.stringify(kafkaTopicSchema))
}

// Only the definitions a kind reaches: the whole file (1.4 MB) in every schema makes the
// validator compile far more than it uses.
function reachableDefinitions(text: string, definitions: Record<string, Json>): Record<string, Json> {
  const found: Record<string, Json> = {}
  const queue = [...text.matchAll(/"#\/\$defs\/([^"]+)"/g)].map((m) => m[1]!)
  while (queue.length > 0) {
    const name = queue.pop()!
    if (found[name] || !definitions[name]) continue
    found[name] = definitions[name]
    queue.push(...[...JSON.stringify(definitions[name]).matchAll(/"#\/\$defs\/([^"]+)"/g)].map((m) => m[1]!))
  }
  return found
}

/** A CRD version's openAPIV3Schema as a strict JSON schema. */
export function crdSchema(crdFile: string, version: string): Json {
  const crd = parse(readFileSync(crdFile, 'utf8')) as {
    spec: { group: string; names: { kind: string }; versions: { name: string; schema: { openAPIV3Schema: Json } }[] }
  }
  const found = crd.spec.versions.find((v) => v.name === version)
  if (!found) throw new Error(`${crdFile} has no version ${version}`)
  const schema = strict(found.schema.openAPIV3Schema)
  const properties = schema.properties as Json
  properties.apiVersion = { type: 'string', enum: [`${crd.spec.group}/${version}`] }
  properties.kind = { type: 'string', enum: [crd.spec.names.kind] }
  // The API server checks metadata; here only its shape.
  properties.metadata = { type: 'object' }
  return { ...schema, required: ['apiVersion', 'kind', 'metadata', ...((schema.required as string[] | undefined) ?? [])] }
}

// OpenAPI v3 as Kubernetes uses it → JSON schema: objects with listed properties refuse
// others (as the API server prunes them), int-or-string takes both, nullable takes null.
function strict(node: Json): Json {
  const out: Json = {}
  for (const [key, value] of Object.entries(node)) {
    if (key.startsWith('x-kubernetes-') || key === 'nullable') continue
    if (key === 'properties')
      out.properties = Object.fromEntries(Object.entries(value as Record<string, Json>).map(([k, v]) => [k, strict(v)]))
    else if ((key === 'items' || key === 'additionalProperties') && typeof value === 'object' && value !== null)
      out[key] = strict(value as Json)
    else if (key === 'allOf' || key === 'anyOf' || key === 'oneOf') out[key] = (value as Json[]).map(strict)
    else out[key] = value
  }
  if (node['x-kubernetes-int-or-string'] === true) {
    delete out.type
    out.anyOf = [{ type: 'integer' }, { type: 'string' }]
  }
  if (out.properties && out.additionalProperties === undefined && node['x-kubernetes-preserve-unknown-fields'] !== true) {
    out.additionalProperties = false
  }
  if (node.nullable === true && typeof out.type === 'string') out.type = [out.type, 'null']
  return out
}

const kafkaTopicSchema: Json = {
  type: 'object',
  required: ['apiVersion', 'kind', 'metadata', 'spec'],
  additionalProperties: false,
  properties: {
    apiVersion: { type: 'string', enum: ['kafka.strimzi.io/v1beta2'] },
    kind: { type: 'string', enum: ['KafkaTopic'] },
    metadata: {
      type: 'object',
      required: ['name', 'labels'],
      properties: {
        // Kafka topic names that are also valid resource names (else spec.topicName).
        name: { type: 'string', pattern: '^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$' },
        labels: { type: 'object', required: ['strimzi.io/cluster'], additionalProperties: { type: 'string' } },
      },
    },
    spec: {
      type: 'object',
      required: ['partitions', 'replicas'],
      additionalProperties: false,
      properties: {
        topicName: { type: 'string', minLength: 1 },
        partitions: { type: 'integer', minimum: 1 },
        replicas: { type: 'integer', minimum: 1, maximum: 32767 },
        config: { type: 'object', additionalProperties: { type: ['string', 'integer', 'number', 'boolean'] } },
      },
    },
    status: { type: 'object' },
  },
}
