import type { KeyObject } from 'node:crypto'

export type AuthScheme = 'gen2-hmac' | 'gen1-static' | 'standard-webhooks'

/** One configured Nudj organisation or environment, with its secrets loaded. */
export type Source = {
  name: string
  /** Only these are accepted: gen-1 static headers only when the sources file lists gen1-static. */
  schemes: Set<AuthScheme>
  /** Several at once while a secret is being rotated; the id names which one verified. */
  // KeyObjects: an HMAC keyed with a Buffer costs several times more on Node 24.
  gen2Secrets: { id: string; key: KeyObject }[]
  /**
   * Gen-1 static headers that must all match (names lower-case). `secret` marks the ones read
   * from the environment or a file; literal ones (X-Webhook-Source) are public.
   */
  gen1Headers: { name: string; value: Buffer; secret: boolean }[]
  standardWebhooks: { secrets: { id: string; key: KeyObject }[]; toleranceSeconds: number }
}
