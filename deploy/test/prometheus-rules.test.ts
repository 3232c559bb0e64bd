// The rules and dashboards, checked by promtool (Debian's prometheus package): syntax, the
// unit tests in deploy/prometheus/tests, and that every dashboard query is valid PromQL.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { stringify } from 'yaml'
import { deployDir, deployTool, repoRoot, runTool } from './deploy-tools.ts'
import { dashboardExpressions, loadRules, metricNames } from './metric-names.ts'

const work = mkdtempSync(join(tmpdir(), 'nudj-rules-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))
const alerts = loadRules().flatMap((g) => g.rules.filter((r) => r.alert))
const unitTests = readdirSync(join(deployDir, 'prometheus/tests'))
  .filter((f) => f.endsWith('.test.yml'))
  .map((f) => join(deployDir, 'prometheus/tests', f))

describe('Prometheus rules', () => {
  it('promtool check rules accepts them', async () => {
    const { code, stdout, stderr } = await runTool(deployTool('promtool'), ['check', 'rules', join(deployDir, 'prometheus/rules.yml')])
    expect(code, stdout + stderr).toBe(0)
    expect(stdout).toMatch(/SUCCESS: \d+ rules found/)
  })

  it('promtool test rules passes the unit tests', async () => {
    const { code, stdout, stderr } = await runTool(deployTool('promtool'), ['test', 'rules', ...unitTests])
    expect(code, stdout + stderr).toBe(0)
    expect(stdout.match(/SUCCESS/g)).toHaveLength(unitTests.length)
  })

  it("promtool check config accepts compose's scrape configuration", async () => {
    // It names the rules at their path inside the container: syntax only.
    const file = join(deployDir, 'prometheus/prometheus.yml')
    const { code, stdout, stderr } = await runTool(deployTool('promtool'), ['check', 'config', '--syntax-only', file])
    expect(code, stdout + stderr).toBe(0)
  })

  it('every alert is unit-tested firing, and points to its section of RUNBOOK.md', () => {
    const tests = unitTests.map((f) => readFileSync(f, 'utf8')).join('\n')
    const runbook = readFileSync(join(repoRoot, 'RUNBOOK.md'), 'utf8')
    expect(alerts.length).toBeGreaterThanOrEqual(10)
    for (const alert of alerts) {
      expect(tests, alert.alert).toMatch(new RegExp(`alertname: ${alert.alert}\\n\\s+eval_time: \\w+\\n\\s+exp_alerts:\\n`))
      const anchor = /RUNBOOK\.md#([a-z]+)/.exec(alert.annotations?.description ?? '')?.[1]
      expect(anchor, alert.alert).toBeDefined()
      expect(runbook, `${alert.alert} → #${anchor}`).toMatch(new RegExp(`^#+ ${anchor}$`, 'im'))
    }
  })

  it('every dashboard query is valid PromQL (promtool parses them as rules)', async () => {
    const expressions = dashboardExpressions()
    expect(expressions.length).toBeGreaterThan(50)
    const file = join(work, 'dashboards.rules.yml')
    const rules = expressions.map((e, i) => ({ record: `dashboard:query:${i}`, expr: e.expr.replaceAll('$group', '.+') }))
    writeFileSync(file, stringify({ groups: [{ name: 'dashboards', rules }] }))
    const { code, stdout, stderr } = await runTool(deployTool('promtool'), ['check', 'rules', file])
    expect(code, stdout + stderr).toBe(0)
  })

  it('the dashboards are what deploy/bin/render-dashboards.ts makes', async () => {
    const { code, stderr } = await runTool(process.execPath, [join(deployDir, 'bin/render-dashboards.ts'), '--check'])
    expect(code, stderr).toBe(0)
  })

  it('the metric-name extraction finds names and ignores PromQL words, labels and ranges', () => {
    expect(
      metricNames(
        'sum by (group, le) (rate(webhooks_consumer_handler_duration_seconds_bucket{group=~"a|b",le="+Inf"}[5m])) / on (group) time()',
      ),
    ).toEqual(['webhooks_consumer_handler_duration_seconds_bucket'])
    expect(metricNames('service:webhooks_ingest_errors:ratio_rate5m > 0.05 and on (service) up{service="x"} == 0')).toEqual([
      'service:webhooks_ingest_errors:ratio_rate5m',
      'up',
    ])
  })
})
