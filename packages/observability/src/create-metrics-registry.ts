import { collectDefaultMetrics, Registry } from 'prom-client'

/** A service's own Prometheus registry with the default process metrics, prefixed `webhooks_`. */
export function createMetricsRegistry(service: string): Registry {
  const registry = new Registry()
  registry.setDefaultLabels({ service })
  collectDefaultMetrics({ register: registry, prefix: 'webhooks_' })
  return registry
}
