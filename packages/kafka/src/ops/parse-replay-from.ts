import { UsageError } from './ops-errors.ts'
import { isoTime } from './parse-command-args.ts'

export type ReplayFrom =
  { kind: 'earliest' } | { kind: 'time'; ms: number } | { kind: 'offsets'; offsets: { topic: string; partition: number; offset: number }[] }

/** `earliest`, an ISO 8601 time with a zone, or `topic:partition:offset,...` (topic names hold no ':'). */
export function parseReplayFrom(text: string): ReplayFrom {
  if (text === 'earliest') return { kind: 'earliest' }
  if (/^\d{4}-\d{2}-\d{2}/.test(text)) return { kind: 'time', ms: isoTime(text, '--from') }
  const offsets: { topic: string; partition: number; offset: number }[] = []
  const seen = new Set<string>()
  for (const part of text.split(',')) {
    const match = /^([a-zA-Z0-9._-]+):(\d+):(\d+)$/.exec(part.trim())
    if (!match) {
      throw new UsageError(`--from must be earliest, an ISO 8601 time (2026-03-01T09:30:00Z) or topic:partition:offset,..., got '${part}'`)
    }
    const [, topic = '', partition = '', offset = ''] = match
    if (seen.has(`${topic}:${partition}`)) throw new UsageError(`--from names ${topic}:${partition} twice`)
    seen.add(`${topic}:${partition}`)
    offsets.push({ topic, partition: Number(partition), offset: Number(offset) })
  }
  return { kind: 'offsets', offsets }
}
