/** How the stack starts one server as a detached process. */
export type Launch = {
  command: string
  args: string[]
  cwd?: string
  env?: NodeJS.ProcessEnv
}

export type ServerName = 'kafka' | 'registry' | 'postgres' | 'smtp'

/** One server of the local stack; `stack.ts` runs them all the same way. */
export type Server = {
  name: ServerName
  /** What clients connect to, as printed by `status`. */
  address: string
  /** Ports that must be free before the server starts. */
  ports: number[]
  /** Fetches artifacts and prepares data on first use; cheap when already done. */
  prepare: () => Promise<void>
  launch: () => Promise<Launch>
  isHealthy: () => Promise<boolean>
}

/** `fetch` with a deadline, answering whether the response was 2xx. */
export async function isHttpOk(url: string, timeoutMs = 2000): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) })
    await response.body?.cancel()
    return response.ok
  } catch {
    return false
  }
}
