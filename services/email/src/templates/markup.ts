/** MJML/HTML text that is already safe; everything else interpolated into `mj` is escaped. */
export type Markup = { readonly markup: string }

const entities: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => entities[c] ?? c)
}

/**
 * A tagged template for MJML: every interpolated value is escaped unless it is Markup
 * (a nested `mj`), so a payload value can never become markup by accident.
 */
export function mj(strings: TemplateStringsArray, ...values: unknown[]): Markup {
  let out = strings[0] ?? ''
  values.forEach((value, i) => {
    out += toMarkup(value) + (strings[i + 1] ?? '')
  })
  return { markup: out }
}

function toMarkup(value: unknown): string {
  if (value === undefined || value === null || value === false) return ''
  if (Array.isArray(value)) return value.map(toMarkup).join('')
  if (typeof value === 'object' && 'markup' in value) return (value as Markup).markup
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  return escapeHtml(typeof value === 'string' ? value : JSON.stringify(value))
}
