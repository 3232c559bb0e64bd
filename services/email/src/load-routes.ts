import { catalog } from '@nudj-webhooks/contracts'
import { parseRecipient } from './parse-recipient.ts'
import { templateNames } from './templates/template-catalog.ts'

/** Where one canonical event's email goes: the event's user, or a fixed address (support). */
export type Route = { event: string; template: string; enabled: boolean; to: 'user' | { address: string } }

export type Routes = Map<string, Route>

/** The categories this group reads for emails (user events only feed the contact table). */
export const emailCategories = ['reward', 'challenge', 'achievement', 'referral'] as const

const routable = new Set(catalog.filter((e) => (emailCategories as readonly string[]).includes(e.category)).map((e) => e.canonical))

/**
 * Reads the routing file `{ "<canonical event>": { template, enabled, to } }`, adding
 * every problem to `problems` (the config loader reports them all at once).
 */
export function loadRoutes(doc: unknown, problems: string[]): Routes {
  const routes: Routes = new Map()
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    problems.push('EMAIL_ROUTES_FILE: must be a JSON object keyed by canonical event name')
    return routes
  }
  for (const [event, value] of Object.entries(doc as Record<string, unknown>)) {
    const where = `EMAIL_ROUTES_FILE ${event}`
    const before = problems.length
    if (!routable.has(event)) problems.push(`${where}: not a canonical event of the ${emailCategories.join(', ')} categories`)
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      problems.push(`${where}: must be an object { template, enabled, to }`)
      continue
    }
    const { template, enabled, to, ...extra } = value as Record<string, unknown>
    for (const key of Object.keys(extra)) problems.push(`${where}: unknown field ${key}`)
    if (typeof template !== 'string' || !templateNames.includes(template))
      problems.push(`${where}: template must be one of ${templateNames.join(', ')} (got ${JSON.stringify(template)})`)
    if (typeof enabled !== 'boolean') problems.push(`${where}: enabled must be true or false`)
    const address = to === 'user' || typeof to !== 'string' ? undefined : parseRecipient(to)
    if (to !== 'user' && !address?.ok) problems.push(`${where}: to must be "user" or one plain email address (got ${JSON.stringify(to)})`)
    if (problems.length > before) continue
    routes.set(event, {
      event,
      template: template as string,
      enabled: enabled as boolean,
      to: address?.ok ? { address: address.address } : 'user',
    })
  }
  return routes
}
