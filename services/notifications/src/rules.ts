import { Type, type Static } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'
import { catalog } from '@nudj-webhooks/contracts'

const ruleSchema = Type.Object(
  {
    id: Type.String({ pattern: '^[a-z0-9][a-z0-9._-]{0,62}$', description: 'stable id: part of the once-only key (webhook id, rule)' }),
    events: Type.Array(Type.String({ minLength: 1 }), { minItems: 1, description: 'canonical event names (the catalog)' }),
    audience: Type.Union([Type.Literal('user'), Type.Literal('operator')]),
    title: Type.String({ minLength: 1, maxLength: 200 }),
    body: Type.String({ minLength: 1, maxLength: 1000 }),
  },
  { additionalProperties: false },
)
const rulesSchema = Type.Object({ rules: Type.Array(ruleSchema, { minItems: 1 }) }, { additionalProperties: false })

export type Rule = Static<typeof ruleSchema>

const known = new Set(catalog.map((entry) => entry.canonical))
const placeholder = /\{\{\s*([a-zA-Z0-9_.]+)\s*(?:\|([^}]*))?\}\}/g

/** Validates a rules document (`{ rules: [...] }`); throws an Error listing every problem. */
export function parseRules(doc: unknown): Rule[] {
  const errors = [...Value.Errors(rulesSchema, doc)]
  if (errors.length > 0)
    throw new Error(
      errors
        .slice(0, 10)
        .map((e) => `${e.path || '/'} ${e.message}`)
        .join('; '),
    )
  const { rules } = doc as Static<typeof rulesSchema>
  const problems: string[] = []
  const ids = new Set<string>()
  for (const rule of rules) {
    if (ids.has(rule.id)) problems.push(`rule ${rule.id}: id used twice`)
    ids.add(rule.id)
    for (const event of rule.events)
      if (!known.has(event)) problems.push(`rule ${rule.id}: ${event} is not a canonical event of the catalog`)
  }
  if (problems.length > 0) throw new Error(problems.join('; '))
  return rules
}

/** The rules an event triggers, by canonical name. */
export function createRuleIndex(rules: Rule[]): (canonical: string) => Rule[] {
  const byEvent = new Map<string, Rule[]>()
  for (const rule of rules) for (const event of rule.events) byEvent.set(event, [...(byEvent.get(event) ?? []), rule])
  return (canonical) => byEvent.get(canonical) ?? []
}

const maxValueLength = 200

/**
 * Fills `{{path}}` and `{{path|fallback}}` from `context`. Values are made safe text: control
 * characters removed and length capped; HTML and chat markup are escaped where they are shown.
 */
export function renderTemplate(template: string, context: Record<string, unknown>): string {
  return template.replace(placeholder, (_, path: string, fallback: string | undefined) => {
    let value: unknown = context
    for (const key of path.split('.'))
      value = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined
    const text = typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : (fallback ?? '')
    // eslint-disable-next-line no-control-regex
    return text.replace(/[\u0000-\u001f\u007f]/g, ' ').slice(0, maxValueLength)
  })
}

/** Slack mrkdwn: only &, < and > need escaping (they would make links and mentions). */
export function escapeChat(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}
