import { createSecretKey } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { readJsonFile, secretProblem } from '@nudj-webhooks/config'
import { Type, type Static } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'
import type { AuthScheme, Source } from './source.ts'

// The sources file (INGEST_SOURCES_FILE): each source, its schemes and where its secrets are.
const secretRef = Type.Union([Type.Object({ env: Type.String({ minLength: 1 }) }), Type.Object({ file: Type.String({ minLength: 1 }) })])
type SecretRef = Static<typeof secretRef>
const sourcesSchema = Type.Object({
  defaultSource: Type.Optional(Type.String()),
  sources: Type.Record(
    Type.String({ pattern: '^[a-z0-9][a-z0-9_-]{0,62}$' }),
    Type.Object({
      schemes: Type.Array(Type.Union([Type.Literal('gen2-hmac'), Type.Literal('gen1-static'), Type.Literal('standard-webhooks')]), {
        minItems: 1,
      }),
      gen2Secrets: Type.Optional(Type.Array(Type.Intersect([Type.Object({ id: Type.String({ minLength: 1 }) }), secretRef]))),
      gen1Headers: Type.Optional(
        Type.Record(Type.String({ minLength: 1 }), Type.Union([secretRef, Type.Object({ value: Type.String({ minLength: 1 }) })])),
      ),
      standardWebhooks: Type.Optional(
        Type.Object({
          secrets: Type.Array(Type.Intersect([Type.Object({ id: Type.String({ minLength: 1 }) }), secretRef]), { minItems: 1 }),
          toleranceSeconds: Type.Optional(Type.Integer({ minimum: 1 })),
        }),
      ),
    }),
    // Names outside the pattern are refused rather than silently ignored.
    { additionalProperties: false },
  ),
})

// Literal values are for harmless headers such as X-Webhook-Source; anything that looks
// like a credential must come from the environment or a file.
const credentialHeader = /authorization|key|token|secret|signature|password/i

// What each kind of secret holds to the rule (minSecretBytes): its material, without the parts
// anyone can guess. A gen-2 key is the whole string (NUDJ-WEBHOOKS.md 1.1), but `whsec_` is
// no secret; in `Authorization: Bearer <token>` the token is; a Standard Webhooks key is the
// base64-decoded bytes.
const gen2Material = (text: string): Buffer => Buffer.from(text.replace(/^whsec_/, ''))
const authorizationMaterial = (text: string): Buffer => Buffer.from(text.replace(/^[A-Za-z]+ +/, ''))
const plainMaterial = (text: string): Buffer => Buffer.from(text)
const standardKey = (text: string): Buffer => Buffer.from(text.startsWith('whsec_') ? text.slice(6) : text, 'base64')

/** Reads the sources file and every secret it names; adds each problem to `problems`. */
export function readSources(
  file: string,
  env: Record<string, string | undefined>,
  problems: string[],
): { sources: Map<string, Source>; defaultSource?: string } {
  const sources = new Map<string, Source>()
  let parsed: unknown
  try {
    parsed = readJsonFile(file)
  } catch (err) {
    problems.push(`INGEST_SOURCES_FILE: cannot read ${file} as JSON: ${(err as Error).message}`)
    return { sources }
  }
  const errors = [...Value.Errors(sourcesSchema, parsed)]
  if (errors.length > 0) {
    for (const e of errors.slice(0, 10)) problems.push(`INGEST_SOURCES_FILE ${e.path || '/'}: ${e.message}`)
    return { sources }
  }
  const doc = parsed as Static<typeof sourcesSchema>
  // Every secret is trimmed and held to the one rule (packages/config read-secret.ts); problems
  // name the source, the secret and where it is, never the value.
  const secret = (where: string, ref: SecretRef, material = plainMaterial): string => {
    let text: string
    if ('env' in ref) {
      if (!env[ref.env]) {
        problems.push(`${where}: environment variable ${ref.env} is not set`)
        return ''
      }
      text = (env[ref.env] as string).trim()
    } else {
      try {
        text = readFileSync(ref.file, 'utf8').trim()
      } catch (err) {
        problems.push(`${where}: cannot read secret file ${ref.file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`)
        return ''
      }
    }
    const problem = secretProblem(material(text))
    if (problem) problems.push(`${where}: the secret in ${'env' in ref ? ref.env : ref.file} ${problem}`)
    return text
  }
  for (const [name, s] of Object.entries(doc.sources)) {
    const where = `source ${name}`
    const schemes = new Set<AuthScheme>(s.schemes)
    const gen2Secrets = (s.gen2Secrets ?? []).map((ref) => ({
      id: ref.id,
      key: createSecretKey(Buffer.from(secret(`${where} gen2Secrets ${ref.id}`, ref, gen2Material))),
    }))
    const gen1Headers = Object.entries(s.gen1Headers ?? {}).map(([header, ref]) => {
      if ('value' in ref) {
        if (credentialHeader.test(header))
          problems.push(`${where} gen1Headers ${header}: give a credential as {"env": ...} or {"file": ...}, never inline`)
        return { name: header.toLowerCase(), value: Buffer.from(ref.value), secret: false }
      }
      const material = header.toLowerCase() === 'authorization' ? authorizationMaterial : plainMaterial
      return { name: header.toLowerCase(), value: Buffer.from(secret(`${where} gen1Headers ${header}`, ref, material)), secret: true }
    })
    const standardSecrets = (s.standardWebhooks?.secrets ?? []).map((ref) => ({
      id: ref.id,
      key: createSecretKey(standardKey(secret(`${where} standardWebhooks ${ref.id}`, ref, standardKey))),
    }))
    if (schemes.has('gen2-hmac') && gen2Secrets.length === 0) problems.push(`${where}: gen2-hmac needs at least one of gen2Secrets`)
    // X-Webhook-Source alone is public (it is in Nudj's docs): gen-1 needs a header that is a secret.
    if (schemes.has('gen1-static') && !gen1Headers.some((h) => h.secret))
      problems.push(`${where}: gen1-static needs a secret header in gen1Headers (e.g. Authorization from {"env": ...} or {"file": ...})`)
    if (schemes.has('standard-webhooks') && standardSecrets.length === 0)
      problems.push(`${where}: standard-webhooks needs standardWebhooks.secrets`)
    sources.set(name, {
      name,
      schemes,
      gen2Secrets,
      gen1Headers,
      standardWebhooks: { secrets: standardSecrets, toleranceSeconds: s.standardWebhooks?.toleranceSeconds ?? 300 },
    })
  }
  if (doc.defaultSource !== undefined && !sources.has(doc.defaultSource))
    problems.push(`INGEST_SOURCES_FILE: defaultSource ${doc.defaultSource} is not one of the sources`)
  return { sources, defaultSource: doc.defaultSource }
}
