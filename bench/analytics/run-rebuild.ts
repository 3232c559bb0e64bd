import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { readPeakRssMb } from '../ingest/read-peak-rss.ts'

export type RebuildFigures = { seconds: number; rss_mb: number | null; exit_code: number | null; last_lines: string[] }

/**
 * Times the documented command, `pnpm analytics rebuild` (node bin/analytics.ts rebuild), as
 * a process of its own, from spawn to exit, and samples its peak resident memory.
 */
export async function runRebuild(repoRoot: string, env: Record<string, string>, say: (line: string) => void): Promise<RebuildFigures> {
  const began = performance.now()
  const child = spawn(process.execPath, [join(repoRoot, 'services/analytics/bin/analytics.ts'), 'rebuild'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const lines: string[] = []
  for (const stream of [child.stdout, child.stderr]) {
    stream.setEncoding('utf8')
    stream.on('data', (chunk: string) => {
      for (const line of chunk.split('\n').filter((l) => l.trim() !== '')) {
        lines.push(line)
        say(`rebuild: ${line}`)
      }
    })
  }
  let rss: number | null = null
  const sampler = setInterval(() => {
    const peak = child.pid === undefined ? undefined : readPeakRssMb(child.pid)
    if (peak !== undefined) rss = Math.max(rss ?? 0, peak)
  }, 200)
  const exitCode = await new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  clearInterval(sampler)
  return { seconds: Math.round((performance.now() - began) / 100) / 10, rss_mb: rss, exit_code: exitCode, last_lines: lines.slice(-3) }
}
