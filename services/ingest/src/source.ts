import type { KeyObject } from 'node:crypto'

export type AuthScheme = 'gen2-hmac' | 'gen1-static' | 'standard-webhooks'

/** One configured Nudj organisation or environment, with its secrets loaded. */
export type Source = {
  name: string
  schemes: Set<AuthScheme>
  /** Several at once while a secret is being rotated; the id names which one verified. */
  // KeyObjects: an HMAC keyed with a Buffer costs several times more on Node 24.
  gen2Secrets: { id: string; key: KeyObject }[]
  /** Gen-1 static headers that must all match (names lower-case). */
  gen1Headers: { name: string; value: Buffer }[]
  standardWebhooks: { secrets: { id: string; key: KeyObject }[]; toleranceSeconds: number }
}
