/** Bytes as UTF-8 text when they are printable text, else `base64:...`. */
export function printableBytes(bytes: Buffer): string {
  const text = bytes.toString('utf8')
  return isPrintable(text) ? text : `base64:${bytes.toString('base64')}`
}

// Control characters other than tab, newline and carriage return, and the replacement
// character that invalid UTF-8 decodes to, mark binary data.
function isPrintable(text: string): boolean {
  for (const char of text) {
    const c = char.codePointAt(0) ?? 0
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || c === 0x7f || c === 0xfffd) return false
  }
  return true
}
