import type { Answer } from './raw-exchange.ts'

/** 503 codes that ingest answers on purpose (so that Nudj retries later), and that are allowed here. */
export const deliberate503Codes = new Set([
  'OVERLOADED',
  'RATE_LIMITED',
  'SHUTTING_DOWN',
  'KAFKA_TIMEOUT',
  'KAFKA_UNAVAILABLE',
  'SCHEMA_REGISTRY_UNAVAILABLE',
])

export type FuzzTally = {
  total: number
  by_status: Record<string, number>
  by_kind: Record<string, Record<string, number>>
  by_code: Record<string, number>
  deliberate_503: number
  unexpected_5xx: number
  /** Up to 20 unexpected answers: kind, status, the start of the body. */
  unexpected_examples: { kind: string; status: string; body: string }[]
}

export function createFuzzTally() {
  const tally: FuzzTally = {
    total: 0,
    by_status: {},
    by_kind: {},
    by_code: {},
    deliberate_503: 0,
    unexpected_5xx: 0,
    unexpected_examples: [],
  }
  const bump = (counts: Record<string, number>, key: string): void => void (counts[key] = (counts[key] ?? 0) + 1)
  return {
    add(kind: string, answer: Answer): void {
      tally.total += 1
      const status = String(answer.status)
      bump(tally.by_status, status)
      bump((tally.by_kind[kind] ??= {}), status)
      if (typeof answer.status !== 'number') return
      bump(tally.by_code, answer.code ?? `(none ${answer.status})`)
      if (answer.status < 500) return
      if (answer.status === 503 && answer.code !== undefined && deliberate503Codes.has(answer.code)) tally.deliberate_503 += 1
      else {
        tally.unexpected_5xx += 1
        if (tally.unexpected_examples.length < 20) tally.unexpected_examples.push({ kind, status, body: answer.body })
      }
    },
    /** Answers that are neither 2xx-5xx nor a connection the client closed on purpose. */
    unanswered(): number {
      return (tally.by_status.timeout ?? 0) + (tally.by_status.connection_error ?? 0)
    },
    snapshot: (): FuzzTally => structuredClone(tally),
  }
}
