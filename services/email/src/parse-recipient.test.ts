import { describe, expect, it } from 'vitest'
import { parseRecipient } from './parse-recipient.ts'

describe('parseRecipient', () => {
  it('accepts one plain mailbox: trimmed, the domain lower-case, the key all lower-case', () => {
    expect(parseRecipient('  Ada.Lovelace+news@Example.COM ')).toEqual({
      ok: true,
      address: 'Ada.Lovelace+news@example.com',
      key: 'ada.lovelace+news@example.com',
    })
    expect(parseRecipient("o'brien@mail.example.co.uk")).toEqual({
      ok: true,
      address: "o'brien@mail.example.co.uk",
      key: "o'brien@mail.example.co.uk",
    })
  })

  it.each([
    ['x<victim@b.com>', 'not_one_mailbox'],
    ['<victim@b.com>', 'not_one_mailbox'],
    ['Victim <victim@b.com>', 'not_one_mailbox'],
    ['"a@b.com" <victim@b.com>', 'not_one_mailbox'],
    ['a@b.com <victim@b.com>', 'not_one_mailbox'],
    ['a@b.com victim@b.com', 'not_one_mailbox'],
    ['a@b.com, victim@b.com', 'not_one_mailbox'],
    ['a@b.com,victim@b.com', 'not_one_mailbox'],
    ['a@b.com;victim@b.com', 'not_one_mailbox'],
    ['friends: a@b.com, victim@b.com;', 'not_one_mailbox'],
    ['victim@b.com (comment)', 'not_one_mailbox'],
    ['"victim@b.com"', 'not_one_mailbox'],
    ['"a,victim"@b.com', 'invalid_address'],
    ['"victim"@b.com', 'not_one_mailbox'],
    ['victim@b.com\r\nBcc: other@c.com', 'control_character'],
    ['victim@b.com\n', 'control_character'],
    ['victim@b.com\u0000', 'control_character'],
    ['=?utf-8?B?dmljdGltQGIuY29t?= <a@b.com>', 'encoded_word'],
    ['=?utf-8?q?victim?=@b.com', 'encoded_word'],
    ['nobody', 'not_one_mailbox'],
    ['@b.com', 'invalid_address'],
    ['victim@b', 'invalid_address'],
    ['victim@-b.com', 'invalid_address'],
    ['victim@b..com', 'invalid_address'],
    ['victim@b.com.', 'invalid_address'],
    ['victim@127.0.0.1', 'invalid_address'],
    ['victim@[127.0.0.1]', 'invalid_address'],
    ['victim@b_c.com', 'invalid_address'],
    ['x@y.com@b.com', 'invalid_address'],
    ['.victim@b.com', 'invalid_address'],
    ['vic..tim@b.com', 'invalid_address'],
    ['vïctim@b.com', 'invalid_address'],
    ['victim@bü.com', 'invalid_address'],
    [`${'v'.repeat(65)}@b.com`, 'invalid_address'],
    [`v@${'b'.repeat(64)}.com`, 'invalid_address'],
    [`v@${'b.'.repeat(130)}com`, 'too_long'],
    ['', 'not_one_mailbox'],
  ])('refuses %j (%s)', (raw, problem) => {
    expect(parseRecipient(raw)).toEqual({ ok: false, problem })
  })
})
