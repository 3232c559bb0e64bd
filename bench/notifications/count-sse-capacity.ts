import { openSse, type SseConnection } from './open-sse.ts'

/**
 * Opens SSE connections (one per user id, `bench-user-<n>`) in waves until `limit` are open or
 * a wave fails; answers how many are open and the handles to close them.
 */
export async function openManyStreams(options: {
  baseUrl: string
  limit: number
  wave: number
  tokenFor: (userId: string) => string
  say: (line: string) => void
}): Promise<{ open: SseConnection[]; stoppedBy?: string }> {
  const open: SseConnection[] = []
  while (open.length < options.limit) {
    const size = Math.min(options.wave, options.limit - open.length)
    const results = await Promise.allSettled(
      Array.from({ length: size }, async (_, i) => {
        const userId = `bench-user-${open.length + i}`
        return await openSse(`${options.baseUrl}/v1/users/${userId}/notifications/stream`, options.tokenFor(userId))
      }),
    )
    let stoppedBy: string | undefined
    for (const r of results) {
      if (r.status === 'fulfilled' && r.value.status === 200) open.push(r.value)
      else if (r.status === 'fulfilled') {
        r.value.close()
        stoppedBy ??= `HTTP ${r.value.status}`
      } else stoppedBy ??= (r.reason as Error).message
    }
    if (open.length % 2000 < options.wave) options.say(`${open.length} streams open`)
    if (stoppedBy) return { open, stoppedBy }
  }
  return { open }
}
