// A small builder for Grafana dashboards (schema 39), so the dashboards are written as lists
// of queries rather than as thousands of lines of JSON.

export type Panel = {
  title: string
  description?: string
  /** PromQL, one per series set; `legend` is Grafana's legendFormat. */
  targets: { expr: string; legend?: string }[]
  unit?: string
  kind?: 'timeseries' | 'stat'
  stack?: boolean
}

export type Row = { title: string; panels: Panel[] }

export const datasource = { type: 'prometheus', uid: 'prometheus' }

/** One dashboard: rows of panels, three a row (a stat row: four). */
export function dashboard(uid: string, title: string, description: string, rows: Row[], variables: object[] = []): object {
  let id = 1
  let y = 0
  const panels: object[] = []
  for (const row of rows) {
    panels.push({ type: 'row', id: id++, title: row.title, collapsed: false, gridPos: { h: 1, w: 24, x: 0, y: y++ }, panels: [] })
    const perRow = row.panels.every((p) => p.kind === 'stat') ? 4 : 3
    const width = 24 / perRow
    row.panels.forEach((panel, i) => {
      const height = panel.kind === 'stat' ? 4 : 8
      panels.push(render(panel, id++, { h: height, w: width, x: (i % perRow) * width, y: y + Math.floor(i / perRow) * height }))
    })
    y += Math.ceil(row.panels.length / perRow) * (row.panels[0]?.kind === 'stat' ? 4 : 8)
  }
  return {
    uid,
    title,
    description,
    tags: ['nudj-webhooks'],
    timezone: 'utc',
    schemaVersion: 39,
    version: 1,
    editable: false,
    graphTooltip: 1,
    refresh: '30s',
    time: { from: 'now-6h', to: 'now' },
    templating: { list: variables },
    annotations: { list: [] },
    links: [{ title: 'nudj-webhooks', type: 'dashboards', tags: ['nudj-webhooks'], asDropdown: true }],
    panels,
  }
}

function render(panel: Panel, id: number, gridPos: object): object {
  const kind = panel.kind ?? 'timeseries'
  return {
    type: kind,
    id,
    title: panel.title,
    description: panel.description ?? '',
    datasource,
    gridPos,
    targets: panel.targets.map((t, i) => ({
      datasource,
      refId: String.fromCharCode(65 + i),
      expr: t.expr,
      legendFormat: t.legend ?? '__auto',
      range: true,
    })),
    fieldConfig: {
      defaults: {
        unit: panel.unit ?? 'short',
        ...(kind === 'timeseries'
          ? { custom: { drawStyle: 'line', fillOpacity: panel.stack ? 30 : 5, stacking: { mode: panel.stack ? 'normal' : 'none' } } }
          : {}),
      },
      overrides: [],
    },
    options:
      kind === 'stat'
        ? { reduceOptions: { calcs: ['lastNotNull'] }, colorMode: 'value' }
        : { legend: { displayMode: 'list', placement: 'bottom' }, tooltip: { mode: 'multi' } },
  }
}

/** The consumer runtime's panels for one group (a dashboard variable or a literal). */
export function consumerRows(group: string): Row[] {
  const g = `group=~"${group}"`
  return [
    {
      title: 'Consumer group',
      panels: [
        {
          title: 'Messages by outcome',
          targets: [
            { expr: `sum by (group, outcome) (rate(webhooks_consumer_messages_total{${g}}[5m]))`, legend: '{{group}} {{outcome}}' },
          ],
          unit: 'ops',
          stack: true,
        },
        {
          title: 'Lag (age of records handled)',
          description: 'Alert ConsumerLagHigh above 5 minutes. Retry groups read delayed records on purpose.',
          targets: [{ expr: `max by (group, topic) (webhooks_consumer_lag_seconds{${g}})`, legend: '{{group}} {{topic}}' }],
          unit: 's',
        },
        {
          title: 'Lag (messages behind)',
          description: 'KEDA scales on this (per group).',
          targets: [{ expr: `sum by (group, topic) (webhooks_consumer_lag_messages{${g}})`, legend: '{{group}} {{topic}}' }],
        },
        {
          title: 'Handler time p50 / p99',
          targets: [
            {
              expr: `histogram_quantile(0.5, sum by (group, le) (rate(webhooks_consumer_handler_duration_seconds_bucket{${g}}[5m])))`,
              legend: '{{group}} p50',
            },
            {
              expr: `histogram_quantile(0.99, sum by (group, le) (rate(webhooks_consumer_handler_duration_seconds_bucket{${g}}[5m])))`,
              legend: '{{group}} p99',
            },
          ],
          unit: 's',
        },
        {
          title: 'Retries by tier',
          targets: [{ expr: `sum by (group, tier) (rate(webhooks_consumer_retries_total{${g}}[5m]))`, legend: '{{group}} {{tier}}' }],
          unit: 'ops',
        },
        {
          title: 'Dead letters by error code',
          description: 'Alert DeadLettersGrowing. Inspect with pnpm ops dlq list.',
          targets: [
            { expr: `sum by (group, error_code) (increase(webhooks_consumer_dlq_total{${g}}[15m]))`, legend: '{{group}} {{error_code}}' },
          ],
        },
        {
          title: 'Paused partitions',
          description: 'outage: a dependency is down (alert after 5 minutes); retry-wait: normal.',
          targets: [{ expr: `sum by (group, reason) (webhooks_consumer_paused_partitions{${g}})`, legend: '{{group}} {{reason}}' }],
        },
        {
          title: 'Since last commit',
          targets: [{ expr: `time() - max by (group) (webhooks_consumer_last_commit_timestamp_seconds{${g}})`, legend: '{{group}}' }],
          unit: 's',
        },
        {
          title: 'Rebalances',
          targets: [{ expr: `sum by (group) (increase(webhooks_consumer_rebalances_total{${g}}[15m]))`, legend: '{{group}}' }],
        },
      ],
    },
  ]
}

/** Process panels for one service. */
export function processRow(service: string): Row {
  const s = `service="${service}"`
  return {
    title: 'Process',
    panels: [
      { title: 'Replicas up', targets: [{ expr: `sum(up{${s}})`, legend: 'up' }] },
      {
        title: 'CPU',
        targets: [{ expr: `sum by (instance) (rate(webhooks_process_cpu_seconds_total{${s}}[5m]))`, legend: '{{instance}}' }],
        unit: 'percentunit',
      },
      {
        title: 'Resident memory',
        targets: [{ expr: `max by (instance) (webhooks_process_resident_memory_bytes{${s}})`, legend: '{{instance}}' }],
        unit: 'bytes',
      },
      {
        title: 'Event loop delay p99',
        targets: [{ expr: `max by (instance) (webhooks_nodejs_eventloop_lag_p99_seconds{${s}})`, legend: '{{instance}}' }],
        unit: 's',
      },
      {
        title: 'Heap used',
        targets: [{ expr: `sum by (instance) (webhooks_nodejs_heap_size_used_bytes{${s}})`, legend: '{{instance}}' }],
        unit: 'bytes',
      },
      {
        title: 'Restarts (start time changes)',
        targets: [{ expr: `changes(webhooks_process_start_time_seconds{${s}}[1h])`, legend: '{{instance}}' }],
      },
    ],
  }
}
