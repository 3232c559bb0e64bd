import { loadStackConfig, localStackInfra, type Infra } from '@nudj-webhooks/testing'
import { repoRoot } from './repo-root.ts'

/**
 * The running local stack's addresses (the same as `pnpm stack status` prints); the suites
 * use it as it is and never stop or restart it.
 */
export function localInfra(): Infra {
  return localStackInfra(loadStackConfig(repoRoot))
}

/** Whether a host name is on this machine's loopback (the suites send traffic nowhere else). */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)
}

/** Throws unless every broker and the registry are loopback addresses. */
export function assertLoopback(infra: Pick<Infra, 'kafkaBrokers' | 'schemaRegistryUrl'>): void {
  const hosts = [...infra.kafkaBrokers.map((b) => b.replace(/:\d+$/, '')), new URL(infra.schemaRegistryUrl).hostname]
  const outside = hosts.filter((h) => !isLoopback(h))
  if (outside.length > 0) throw new Error(`only loopback addresses are allowed, got ${outside.join(', ')}`)
}
