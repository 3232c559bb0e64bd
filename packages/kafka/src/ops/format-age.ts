import { formatDelay } from '../group-topics.ts'

/** `45s`, `12m`, `3h 5m`, `2d 4h`: how long ago, to the two largest units. */
export function formatAge(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000))
  if (s < 60) return `${s}s`
  if (s < 3600) return `${Math.floor(s / 60)}m`
  if (s < 86_400) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`
  return `${Math.floor(s / 86_400)}d ${Math.floor((s % 86_400) / 3600)}h`
}

/** A topic's `retention.ms` for people: `30d`, `36h`, `forever`. */
export function formatRetention(retentionMs: string | undefined): string {
  if (retentionMs === undefined) return '?'
  const ms = Number(retentionMs)
  if (ms < 0) return 'forever'
  return ms > 0 && ms % 86_400_000 === 0 ? `${ms / 86_400_000}d` : formatDelay(ms)
}
