import { Counter, Gauge, type Registry } from 'prom-client'

export type NotificationsMetrics = ReturnType<typeof createNotificationsMetrics>

/** The service's own metrics; rule labels come from the validated rules file (bounded). */
export function createNotificationsMetrics(registry: Registry, sseConnections: () => number) {
  return {
    created: new Counter({
      name: 'webhooks_notifications_created_total',
      help: 'Notifications created (inbox rows and operator alerts), by rule; repeats are not counted',
      labelNames: ['rule'],
      registers: [registry],
    }),
    delivered: new Counter({
      name: 'webhooks_notifications_delivered_total',
      help: 'Notifications handed to a channel: sse (one per stream and event), chat',
      labelNames: ['channel'],
      registers: [registry],
    }),
    chatSent: new Counter({
      name: 'webhooks_notifications_chat_sent_total',
      help: 'Chat webhook calls by outcome: ok, retryable, rejected, disabled',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    sseConnections: new Gauge({
      name: 'webhooks_notifications_sse_connections',
      help: 'SSE connections open on this replica',
      registers: [registry],
      collect() {
        this.set(sseConnections())
      },
    }),
  }
}
