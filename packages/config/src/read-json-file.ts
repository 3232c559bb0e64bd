import { readFileSync } from 'node:fs'

/**
 * Reads and parses a JSON configuration file. JSON.parse quotes the text it could not read
 * (`Unexpected token 'w', "whsec_abc" is not valid JSON`), and a path pointed at a secret file
 * by mistake would print the secret: a syntax error here says only where it is.
 */
export function readJsonFile(file: string): unknown {
  const text = readFileSync(file, 'utf8')
  try {
    return JSON.parse(text) as unknown
  } catch (err) {
    const at = / at (position \d+(?: \(line \d+ column \d+\))?)/.exec((err as Error).message)
    // No `cause`: the original error's message is the very text that must not be printed.
    // eslint-disable-next-line preserve-caught-error
    throw new SyntaxError(`not valid JSON${at ? ` (${at[1]})` : ''}`)
  }
}
