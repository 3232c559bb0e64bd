import type { NudjEvent } from '@nudj-webhooks/contracts'
import type { Contact } from './create-contacts.ts'
import { parseRecipient } from './parse-recipient.ts'

const str = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined)

/** The contact a user event describes (gen-2 `data.user`, gen-1 `payload`), when it names a user. */
export function readContact(event: NudjEvent): Contact | undefined {
  if (!event.user.id) return undefined
  const data = event.body.data as Record<string, unknown> | undefined
  const payload = event.body.payload as Record<string, unknown> | undefined
  const user = (data?.user ?? payload?.user ?? payload ?? {}) as Record<string, unknown>
  const email = event.user.email ?? str(user.email)
  const parsed = email === undefined ? undefined : parseRecipient(email)
  return {
    userId: event.user.id,
    // Only one plain address is kept (the row keeps its older one otherwise); sends parse again.
    email: parsed?.ok ? parsed.address : undefined,
    // A refused one is remembered as its problem: a send waiting for this user ends invalid_recipient.
    emailProblem: parsed?.ok === false ? parsed.problem : undefined,
    name: str(user.name) ?? str(user.firstName),
    locale: str(user.locale) ?? str(user.language),
  }
}
