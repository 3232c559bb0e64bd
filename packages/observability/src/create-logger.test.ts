import { describe, expect, it } from 'vitest'
import { createLogger } from './create-logger.ts'

describe('createLogger', () => {
  it('writes service and version on every line and never a secret header or field', () => {
    const lines: string[] = []
    const logger = createLogger({ service: 'ingest', version: '1.2.3', destination: { write: (line: string) => void lines.push(line) } })
    logger.info(
      {
        headers: { authorization: 'Bearer s3cret-token', 'x-nudj-signature': 'sha256=abcdef', 'content-type': 'application/json' },
        secret: 'whsec_top',
        webhookId: 'dlv_1',
      },
      'request done',
    )
    expect(lines).toHaveLength(1)
    const line = JSON.parse(lines[0]!) as Record<string, unknown>
    expect(line).toMatchObject({ level: 'info', service: 'ingest', version: '1.2.3', webhookId: 'dlv_1', msg: 'request done' })
    expect(line.headers).toEqual({ authorization: '[redacted]', 'x-nudj-signature': '[redacted]', 'content-type': 'application/json' })
    expect(lines[0]).not.toMatch(/s3cret-token|abcdef|whsec_top/)
  })
})
