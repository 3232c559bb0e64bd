import type { Admin } from 'kafkajs'
import { dlqTopicName } from '../group-topics.ts'
import { retryCoordinator } from './retry-coordinator.ts'

/**
 * What `dlq redrive` has sent back, per DLQ partition, kept as the committed offset of
 * the consumer group `<group>.dlq.redrive`: every record below `next` was redriven, and so
 * was each offset range in `islands` (records a filter selected beyond a record it did
 * not), which travel in the commit's metadata as `v1;120-130,140`.
 */
export type RedriveState = { next: number; islands: [number, number][] }

/** Kafka refuses offset metadata above offset.metadata.max.bytes (4096 by default). */
export const maxRedriveMetadataLength = 3_500

export function redriveGroupId(group: string): string {
  return `${dlqTopicName(group)}.redrive`
}

export function isRedriven(state: RedriveState, offset: number): boolean {
  return offset < state.next || state.islands.some(([from, to]) => offset >= from && offset <= to)
}

/** The state with `offset` redriven too (a new object; the old one is left alone). */
export function markRedriven(state: RedriveState, offset: number): RedriveState {
  if (isRedriven(state, offset)) return state
  const islands = [...state.islands, [offset, offset] as [number, number]].sort((a, b) => a[0] - b[0])
  const merged: [number, number][] = []
  for (const island of islands) {
    const last = merged.at(-1)
    if (last && island[0] <= last[1] + 1) last[1] = Math.max(last[1], island[1])
    else merged.push([island[0], island[1]])
  }
  return absorb({ next: state.next, islands: merged })
}

/** Records below `low` are gone (retention): nothing there can be redriven again. */
export function withLowWatermark(state: RedriveState, low: number): RedriveState {
  return absorb({ next: Math.max(state.next, low), islands: state.islands.filter(([, to]) => to >= low) })
}

export function encodeRedriveIslands(state: RedriveState): string {
  return `v1;${state.islands.map(([from, to]) => (from === to ? `${from}` : `${from}-${to}`)).join(',')}`
}

/** From a committed offset and its metadata; unknown metadata counts as no islands. */
export function decodeRedriveState(offset: string | number, metadata: string | null | undefined): RedriveState {
  const next = Math.max(0, Number(offset))
  const islands: [number, number][] = []
  const match = /^v1;(.*)$/.exec(metadata ?? '')
  for (const part of match?.[1]?.split(',') ?? []) {
    const range = /^(\d+)(?:-(\d+))?$/.exec(part)
    if (range) islands.push([Number(range[1]), Number(range[2] ?? range[1])])
  }
  return absorb({ next: Number.isFinite(next) ? next : 0, islands: islands.sort((a, b) => a[0] - b[0]) })
}

/** The redrive state of each partition of a group's DLQ, given each partition's low watermark. */
export async function fetchRedriveStates(admin: Admin, group: string, lows: Map<number, number>): Promise<Map<number, RedriveState>> {
  const [committed] = await retryCoordinator(
    async () => await admin.fetchOffsets({ groupId: redriveGroupId(group), topics: [dlqTopicName(group)] }),
  )
  const states = new Map<number, RedriveState>()
  for (const [partition, low] of lows) {
    const entry = committed?.partitions.find((p) => p.partition === partition)
    states.set(partition, withLowWatermark(decodeRedriveState(entry?.offset ?? 0, entry?.metadata), low))
  }
  return states
}

function absorb(state: RedriveState): RedriveState {
  let { next } = state
  const islands = state.islands.filter(([from, to]) => {
    if (to < next) return false
    if (from <= next) {
      next = to + 1
      return false
    }
    return true
  })
  return { next, islands }
}

/** How many of the offsets in [low, high) are redriven. */
export function countRedriven(state: RedriveState, low: number, high: number): number {
  let count = Math.max(0, Math.min(state.next, high) - low)
  for (const [from, to] of state.islands) count += Math.max(0, Math.min(to + 1, high) - Math.max(from, low, state.next))
  return count
}
