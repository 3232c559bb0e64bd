import { consumerRows, dashboard, processRow, type Row } from './dashboard.ts'

const groupVariable = (groups: string): object => ({
  name: 'group',
  label: 'consumer group',
  type: 'custom',
  query: groups,
  current: { text: 'All', value: '$__all' },
  includeAll: true,
  allValue: '.+',
  multi: false,
})

const overview = dashboard(
  'nudj-webhooks-overview',
  'nudj-webhooks: overview',
  'The whole pipeline: what Nudj gets back from ingest, how far behind each consumer group is, dead letters and replicas. Start here (RUNBOOK.md, "Reading the dashboards").',
  [
    {
      title: 'At a glance',
      panels: [
        {
          kind: 'stat',
          title: 'Webhooks accepted /s',
          targets: [{ expr: 'sum(service:webhooks_ingest_requests:rate5m{outcome="ACCEPTED"})' }],
          unit: 'reqps',
        },
        {
          kind: 'stat',
          title: 'Ingest 5xx ratio',
          targets: [{ expr: 'max(service:webhooks_ingest_errors:ratio_rate5m)' }],
          unit: 'percentunit',
        },
        { kind: 'stat', title: 'Worst consumer lag', targets: [{ expr: 'max(group:webhooks_consumer_lag_seconds:max)' }], unit: 's' },
        { kind: 'stat', title: 'Dead letters (15 min)', targets: [{ expr: 'sum(group:webhooks_consumer_dlq:increase15m)' }] },
      ],
    },
    {
      title: 'Ingest',
      panels: [
        {
          title: 'Answers by outcome',
          targets: [{ expr: 'sum by (outcome) (service:webhooks_ingest_requests:rate5m)', legend: '{{outcome}}' }],
          unit: 'reqps',
          stack: true,
        },
        {
          title: '5xx ratio',
          description: 'Alert IngestErrorRatioHigh above 5% for 5 minutes.',
          targets: [{ expr: 'service:webhooks_ingest_errors:ratio_rate5m', legend: 'ratio' }],
          unit: 'percentunit',
        },
        {
          title: 'Answer time p99 (accepted)',
          description: 'Alert IngestLatencyHigh above 2 s; Nudj gives up at 10 s.',
          targets: [{ expr: 'service:webhooks_ingest_request_duration_seconds:p99_5m', legend: 'p99' }],
          unit: 's',
        },
        {
          title: 'Verification failure ratio by source',
          targets: [{ expr: 'source:webhooks_ingest_verification_failures:ratio_rate5m', legend: '{{source}}' }],
          unit: 'percentunit',
        },
        {
          title: 'Records stored by category',
          targets: [{ expr: 'sum by (category) (rate(webhooks_ingest_records_total[5m]))', legend: '{{category}}' }],
          unit: 'ops',
          stack: true,
        },
      ],
    },
    {
      title: 'Consumers',
      panels: [
        {
          title: 'Throughput by group',
          targets: [{ expr: 'sum by (group) (group:webhooks_consumer_messages:rate5m)', legend: '{{group}}' }],
          unit: 'ops',
        },
        { title: 'Lag (age) by group', targets: [{ expr: 'group:webhooks_consumer_lag_seconds:max', legend: '{{group}}' }], unit: 's' },
        { title: 'Lag (messages) by group', targets: [{ expr: 'group:webhooks_consumer_lag_messages:sum', legend: '{{group}}' }] },
        { title: 'Dead letters (15 min) by group', targets: [{ expr: 'group:webhooks_consumer_dlq:increase15m', legend: '{{group}}' }] },
        {
          title: 'Partitions paused for an outage',
          targets: [{ expr: 'sum by (group) (webhooks_consumer_paused_partitions{reason="outage"})', legend: '{{group}}' }],
        },
        {
          title: 'Replicas up by service',
          targets: [{ expr: 'sum by (service) (up{service=~"ingest|analytics|email|notifications"})', legend: '{{service}}' }],
        },
      ],
    },
  ],
)

const ingest = dashboard(
  'nudj-webhooks-ingest',
  'nudj-webhooks: ingest',
  'The receiver: answers, verification, Kafka produce, load shedding (services/ingest/README.md).',
  [
    {
      title: 'Requests',
      panels: [
        {
          title: 'Answers by source and outcome',
          targets: [{ expr: 'sum by (source, outcome) (rate(webhooks_ingest_requests_total[5m]))', legend: '{{source}} {{outcome}}' }],
          unit: 'reqps',
          stack: true,
        },
        {
          title: 'Answer time p50 / p99',
          targets: [
            {
              expr: 'histogram_quantile(0.5, sum by (le) (rate(webhooks_ingest_request_duration_seconds_bucket{outcome="ACCEPTED"}[5m])))',
              legend: 'p50',
            },
            {
              expr: 'histogram_quantile(0.99, sum by (le) (rate(webhooks_ingest_request_duration_seconds_bucket{outcome="ACCEPTED"}[5m])))',
              legend: 'p99',
            },
          ],
          unit: 's',
        },
        {
          title: 'In-flight requests',
          targets: [{ expr: 'sum by (instance) (webhooks_ingest_in_flight_requests)', legend: '{{instance}}' }],
        },
        {
          title: 'Body size p99',
          targets: [{ expr: 'histogram_quantile(0.99, sum by (le) (rate(webhooks_ingest_payload_bytes_bucket[5m])))', legend: 'p99' }],
          unit: 'bytes',
        },
        {
          title: 'Shed (503) by reason',
          targets: [{ expr: 'sum by (reason) (rate(webhooks_ingest_shed_total[5m]))', legend: '{{reason}}' }],
          unit: 'reqps',
        },
      ],
    },
    {
      title: 'Authentication',
      panels: [
        {
          title: 'Verification failures by reason',
          targets: [{ expr: 'source:webhooks_ingest_verification_failures:rate5m', legend: '{{source}} {{reason}}' }],
          unit: 'reqps',
        },
        {
          title: 'Verified by scheme and secret id',
          description: 'During a secret rotation, watch the old secret id fall to zero before removing it.',
          targets: [
            {
              expr: 'sum by (source, scheme, secret_id) (rate(webhooks_ingest_verified_total[5m]))',
              legend: '{{source}} {{scheme}} {{secret_id}}',
            },
          ],
          unit: 'reqps',
        },
        {
          title: 'Rejections not audited',
          targets: [{ expr: 'sum(rate(webhooks_ingest_audit_dropped_total[5m]))', legend: 'dropped' }],
          unit: 'ops',
        },
      ],
    },
    {
      title: 'Kafka',
      panels: [
        {
          title: 'Produce time p50 / p99',
          targets: [
            { expr: 'histogram_quantile(0.5, sum by (le) (rate(webhooks_ingest_produce_duration_seconds_bucket[5m])))', legend: 'p50' },
            { expr: 'service:webhooks_ingest_produce_duration_seconds:p99_5m', legend: 'p99' },
          ],
          unit: 's',
        },
        {
          title: 'Records by category',
          targets: [{ expr: 'sum by (category) (rate(webhooks_ingest_records_total[5m]))', legend: '{{category}}' }],
          unit: 'ops',
          stack: true,
        },
        {
          title: 'Records per produce request (mean)',
          targets: [
            {
              expr: 'sum(rate(webhooks_ingest_batch_records_sum[5m])) / sum(rate(webhooks_ingest_batch_records_count[5m]))',
              legend: 'mean',
            },
          ],
        },
      ],
    },
    processRow('ingest'),
  ],
)

const consumer = (service: string, description: string, own: Row): object =>
  dashboard(
    `nudj-webhooks-${service}`,
    `nudj-webhooks: ${service}`,
    description,
    [own, ...consumerRows('$group'), processRow(service)],
    [groupVariable(`${service},${service}.retry`)],
  )

const analytics = consumer('analytics', 'Projects every event into Postgres and serves the query API (services/analytics/README.md).', {
  title: 'Analytics',
  panels: [
    {
      title: 'Events by type',
      targets: [{ expr: 'sum by (event_type) (rate(webhooks_analytics_events_total[5m]))', legend: '{{event_type}}' }],
      unit: 'ops',
      stack: true,
    },
    {
      title: 'Unknown events by category',
      description: 'Events the catalog does not know: counted and acknowledged.',
      targets: [{ expr: 'sum by (category) (rate(webhooks_analytics_unknown_events_total[5m]))', legend: '{{category}}' }],
      unit: 'ops',
    },
    {
      title: 'Points moved',
      targets: [{ expr: 'sum by (direction) (rate(webhooks_analytics_points_total[5m]))', legend: '{{direction}}' }],
    },
    {
      title: 'Reward deliveries by outcome',
      targets: [{ expr: 'sum by (outcome) (rate(webhooks_analytics_reward_deliveries_total[5m]))', legend: '{{outcome}}' }],
      unit: 'ops',
    },
  ],
})

const email = consumer('email', 'Sends the emails that events call for (services/email/README.md).', {
  title: 'Email',
  panels: [
    {
      title: 'Sent by template',
      targets: [{ expr: 'sum by (template) (rate(webhooks_email_sent_total[5m]))', legend: '{{template}}' }],
      unit: 'ops',
      stack: true,
    },
    {
      title: 'Failed by kind',
      targets: [{ expr: 'sum by (kind) (rate(webhooks_email_failed_total[5m]))', legend: '{{kind}}' }],
      unit: 'ops',
    },
    {
      title: 'Suppressed / no recipient',
      targets: [
        { expr: 'sum(rate(webhooks_email_suppressed_total[5m]))', legend: 'suppressed' },
        { expr: 'sum(rate(webhooks_email_no_recipient_total[5m]))', legend: 'no recipient' },
      ],
      unit: 'ops',
    },
  ],
})

const notifications = consumer('notifications', 'In-app notifications (SSE) and chat messages (services/notifications/README.md).', {
  title: 'Notifications',
  panels: [
    {
      title: 'Created by rule',
      targets: [{ expr: 'sum by (rule) (rate(webhooks_notifications_created_total[5m]))', legend: '{{rule}}' }],
      unit: 'ops',
      stack: true,
    },
    {
      title: 'Delivered by channel',
      targets: [{ expr: 'sum by (channel) (rate(webhooks_notifications_delivered_total[5m]))', legend: '{{channel}}' }],
      unit: 'ops',
    },
    {
      title: 'Open SSE connections',
      targets: [{ expr: 'sum by (instance) (webhooks_notifications_sse_connections)', legend: '{{instance}}' }],
    },
    {
      title: 'Chat messages by outcome',
      targets: [{ expr: 'sum by (outcome) (rate(webhooks_notifications_chat_sent_total[5m]))', legend: '{{outcome}}' }],
      unit: 'ops',
    },
  ],
})

/** Every dashboard by file name (deploy/grafana/dashboards/<name>.json). */
export const dashboards: Record<string, object> = { overview, ingest, analytics, email, notifications }
