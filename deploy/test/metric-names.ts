import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'
import { deployDir } from './deploy-tools.ts'

type RuleGroup = { name: string; rules: { record?: string; alert?: string; expr: string; annotations?: Record<string, string> }[] }

/** The rules file's groups. */
export function loadRules(): RuleGroup[] {
  return (parse(readFileSync(join(deployDir, 'prometheus/rules.yml'), 'utf8')) as { groups: RuleGroup[] }).groups
}

/** Every PromQL expression of every dashboard panel, with the file it is in. */
export function dashboardExpressions(): { file: string; expr: string }[] {
  const dir = join(deployDir, 'grafana/dashboards')
  const found: { file: string; expr: string }[] = []
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
    const dashboard = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { panels: { targets?: { expr: string }[] }[] }
    for (const panel of dashboard.panels) for (const target of panel.targets ?? []) found.push({ file, expr: target.expr })
  }
  return found
}

// PromQL words that look like metric names but are not.
const keywords = new Set([
  'sum',
  'min',
  'max',
  'avg',
  'count',
  'stddev',
  'stdvar',
  'topk',
  'bottomk',
  'quantile',
  'count_values',
  'group',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'and',
  'or',
  'unless',
  'bool',
  'offset',
  'rate',
  'irate',
  'increase',
  'delta',
  'idelta',
  'deriv',
  'changes',
  'resets',
  'histogram_quantile',
  'time',
  'absent',
  'absent_over_time',
  'label_replace',
  'label_join',
  'vector',
  'scalar',
  'clamp_min',
  'clamp_max',
  'max_over_time',
  'min_over_time',
  'avg_over_time',
  'sum_over_time',
  'le',
  'inf',
  'nan',
])

/**
 * The metric names an expression reads: identifiers outside strings, label matchers and
 * grouping clauses, that are not PromQL words or durations.
 */
export function metricNames(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, '{}')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '')
    .replace(/\[[^\]]*\]/g, '[]')
  const names = stripped.match(/[a-zA-Z_:][a-zA-Z0-9_:]*/g) ?? []
  return [...new Set(names.filter((n) => !keywords.has(n) && !/^\d/.test(n)))]
}

/** A histogram's series name → the metric prom-client registers (`_bucket`, `_sum`, `_count`). */
export function baseMetricName(series: string): string {
  return series.replace(/_(bucket|sum|count)$/, '')
}
