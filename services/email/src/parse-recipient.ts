import addressparser from 'nodemailer/lib/addressparser'

/** Why a string is not one plain mailbox; bounded, so also a metric label. */
export const recipientProblems = ['control_character', 'too_long', 'encoded_word', 'not_one_mailbox', 'invalid_address'] as const

export type RecipientProblem = (typeof recipientProblems)[number]

/**
 * `address`: what the email is sent to (the local part as given, the domain lower-case).
 * `key`: the whole address lower-case, what suppressions are stored and compared as.
 */
export type Recipient = { ok: true; address: string; key: string }

export type ParsedRecipient = Recipient | { ok: false; problem: RecipientProblem }

// RFC 5322 dot-atom local part (no quoted strings, no comments), at most 64 octets (RFC 5321).
const localPart = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/
// A host name of two labels or more (letters, digits, inner hyphens); the last one not all digits.
const label = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/
// C0 (CR, LF, NUL...), DEL and C1: never part of an address, and CR/LF would end the header.
const controlCharacter = /\p{Cc}/u

const isDomain = (domain: string): boolean => {
  const labels = domain.split('.')
  return domain.length <= 253 && labels.length >= 2 && labels.every((l) => label.test(l)) && !/^\d+$/.test(labels.at(-1) ?? '')
}

/**
 * Exactly one plain mailbox (`local@domain`), or why not. Anything else an address header
 * could carry is refused, not repaired: a list (`a@x.com, b@y.com`), a group, a display name
 * or comment (`x<victim@b.com>`), quoted local parts, encoded words, address literals,
 * non-ASCII (no SMTPUTF8), CR/LF. nodemailer's own parser must read the string back as that
 * one address, so the header it writes names no one else.
 */
export function parseRecipient(raw: string): ParsedRecipient {
  if (controlCharacter.test(raw)) return { ok: false, problem: 'control_character' }
  const text = raw.trim()
  if (text.length > 254) return { ok: false, problem: 'too_long' }
  if (text.includes('=?')) return { ok: false, problem: 'encoded_word' }
  const parsed = addressparser(text)
  const [only] = parsed
  if (parsed.length !== 1 || !only || !('address' in only) || only.name !== '' || only.address !== text)
    return { ok: false, problem: 'not_one_mailbox' }
  const at = text.lastIndexOf('@')
  const domain = text.slice(at + 1).toLowerCase()
  const local = text.slice(0, at)
  if (at < 1 || local.length > 64 || !localPart.test(local) || !isDomain(domain)) return { ok: false, problem: 'invalid_address' }
  const address = `${local}@${domain}`
  return { ok: true, address, key: address.toLowerCase() }
}
