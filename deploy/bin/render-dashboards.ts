// Writes deploy/grafana/dashboards/*.json from deploy/grafana-src/dashboards.ts (then run
// prettier on them, as on every file; --check compares content, not layout).
//   node deploy/bin/render-dashboards.ts           rewrite the files
//   node deploy/bin/render-dashboards.ts --check   exit 1 when a file is out of date
import { isDeepStrictEqual } from 'node:util'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { dashboards } from '../grafana-src/dashboards.ts'

const dir = join(import.meta.dirname, '..', 'grafana', 'dashboards')
let stale = 0
for (const [name, dashboard] of Object.entries(dashboards)) {
  const file = join(dir, `${name}.json`)
  const text = `${JSON.stringify(dashboard, null, 2)}\n`
  if (process.argv.includes('--check')) {
    let current: unknown
    try {
      current = JSON.parse(readFileSync(file, 'utf8'))
    } catch {
      // missing or unreadable counts as stale
    }
    if (!isDeepStrictEqual(current, JSON.parse(text))) {
      console.error(`${file} is out of date: run node deploy/bin/render-dashboards.ts`)
      stale++
    }
  } else {
    writeFileSync(file, text)
    console.log(`wrote ${file}`)
  }
}
process.exit(stale === 0 ? 0 : 1)
