import { pino, type DestinationStream, type Logger } from 'pino'

export type LoggerOptions = {
  service: string
  version: string
  level?: string
  /** Where lines go; stdout by default. */
  destination?: DestinationStream
}

// Header and field names whose values are never written, at the top of a log object or
// one level down (`headers.authorization`, `config.secret`). Explicit paths: pino's
// wildcard redaction costs a scan of every key of every line.
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
const parents = ['headers', 'req.headers', 'request.headers', 'config', 'source']
const redactPaths = [...secretKeys.map((k) => `["${k}"]`), ...parents.flatMap((p) => secretKeys.map((k) => `${p}["${k}"]`))]

/** The process's root logger: JSON on stdout, `service` and `version` on every line. */
export function createLogger({ service, version, level = 'info', destination }: LoggerOptions): Logger {
  const options = {
    level,
    base: { service, version },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: redactPaths, censor: '[redacted]' },
    formatters: { level: (label: string) => ({ level: label }) },
  }
  return destination ? pino(options, destination) : pino(options)
}
