import avro from 'avsc'

/**
 * Whether a reader with `newSchema` can read every record written with `oldSchema`
 * (Avro schema resolution; BACKWARD in the registry's terms). Answers the problems found,
 * none when compatible.
 */
export function backwardCompatibilityProblems(newSchema: string, oldSchema: string): string[] {
  try {
    const reader = avro.Type.forSchema(JSON.parse(newSchema) as avro.Schema)
    const writer = avro.Type.forSchema(JSON.parse(oldSchema) as avro.Schema)
    reader.createResolver(writer)
    return []
  } catch (err) {
    return [(err as Error).message]
  }
}
