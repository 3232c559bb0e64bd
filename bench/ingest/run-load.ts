import autocannon from 'autocannon'
import type { PooledRequest } from './build-request-pool.ts'

export type LoadOptions = {
  /** Origin only, e.g. `http://127.0.0.1:3000`; each pooled request carries its path. */
  url: string
  pool: PooledRequest[]
  connections: number
  durationS: number
  /** Requests per second over all connections; open-ended when absent. */
  overallRate?: number
}

export type LoadFigures = {
  rps: number
  p50_ms: number
  p99_ms: number
  max_ms: number
  /** Non-2xx answers plus connection errors and timeouts. */
  non2xx: number
  requests: number
}

/**
 * One bounded autocannon run. Connection i cycles through every n-th pooled request, so the
 * connections send different deliveries at once and the pool is encoded only once (autocannon
 * deep-copies its options per connection, `requests` included).
 */
export async function runLoad({ url, pool, connections, durationS, overallRate }: LoadOptions): Promise<LoadFigures> {
  const [first] = pool
  if (first === undefined) throw new Error('the request pool is empty')
  const lanes = Math.min(connections, pool.length)
  let nextClient = 0
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url,
        connections,
        duration: durationS,
        timeout: 10,
        requests: [{ ...first }],
        // autocannon's correction for coordinated omission assumes an interval of 1/rate ms (not
        // 1000/rate) and fills the histogram with made-up short samples, so paced runs record raw times.
        ...(overallRate !== undefined && { overallRate, ignoreCoordinatedOmission: true }),
        setupClient(client) {
          const lane = nextClient++ % lanes
          // Copies: autocannon writes its encoded request and headers onto the objects it is given.
          client.setRequests(pool.filter((_, i) => i % lanes === lane).map((request) => ({ ...request })))
        },
      },
      (error, done) => {
        clearTimeout(guard)
        if (error) reject(error instanceof Error ? error : new Error(String(error)))
        else resolve(done)
      },
    )
    // autocannon ends by itself after `duration`; this only stops a run that hangs.
    const guard = setTimeout(() => instance.stop(), (durationS + 30) * 1000)
  })
  return {
    rps: Math.round(result.requests.mean),
    p50_ms: result.latency.p50,
    p99_ms: result.latency.p99,
    max_ms: result.latency.max,
    non2xx: result.non2xx + result.errors,
    requests: result['2xx'] + result.non2xx + result.errors,
  }
}
