import { pino, type DestinationStream, type Logger } from 'pino'

export type LoggerOptions = {
  service: string
  version: string
  level?: string
  /** Where lines go; stdout by default. */
  destination?: DestinationStream
}

// Header and field names whose values are never written, wherever they appear in a log
// object (top level or one object deep, e.g. `headers.authorization`).
const secretKeys = [
  'authorization',
  'x-nudj-signature',
  'webhook-signature',
  'x-api-key',
  'x-api-token',
  'cookie',
  'secret',
  'secrets',
  'password',
  'token',
]

/** The process's root logger: JSON on stdout, `service` and `version` on every line. */
export function createLogger({ service, version, level = 'info', destination }: LoggerOptions): Logger {
  const options = {
    level,
    base: { service, version },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: [...secretKeys.map((k) => `["${k}"]`), ...secretKeys.map((k) => `*["${k}"]`)], censor: '[redacted]' },
    formatters: { level: (label: string) => ({ level: label }) },
  }
  return destination ? pino(options, destination) : pino(options)
}
