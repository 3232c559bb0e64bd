import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { repoRoot } from '../lib/repo-root.ts'

export type SchemathesisResult =
  | {
      ran: true
      version: string
      command: string
      exit_code: number | null
      seconds: number
      test_cases: number
      failures: number
      /** What schemathesis reported as failing (the first 10, each cut to 300 characters). */
      failure_details: string[]
      requests: number
      by_status: Record<string, number>
      unexpected_5xx: number
      checks: string[]
      output_lines: string[]
    }
  | { ran: false; reason: string; output_lines: string[] }

export type SchemathesisOptions = {
  openApiUrl: string
  baseUrl: string
  source: string
  maxExamples: number
  maxSeconds: number
  seed: number
}

const venvBin = join(repoRoot, '.tools', 'venv', 'bin', 'schemathesis')
const checks = [
  'not_a_server_error',
  'status_code_conformance',
  'content_type_conformance',
  'response_headers_conformance',
  'response_schema_conformance',
]

/** Installs schemathesis into .tools/venv when it is missing (scripts/install-fuzz-tools.sh is idempotent). */
async function ensureSchemathesis(lines: string[]): Promise<string | undefined> {
  if (existsSync(venvBin)) return undefined
  const code = await run('bash', [join(repoRoot, 'scripts', 'install-fuzz-tools.sh')], lines, 300_000)
  return code === 0 && existsSync(venvBin)
    ? undefined
    : `scripts/install-fuzz-tools.sh failed (exit ${code}): ${lines.slice(-3).join(' / ')}`
}

/**
 * Schema-driven fuzzing of ingest's OpenAPI description with schemathesis (positive and
 * negative cases, coverage and fuzzing phases), bounded by examples per operation and by
 * time; the `{source}` path parameter is pinned to the real source so cases reach verification.
 */
export async function runSchemathesis(options: SchemathesisOptions): Promise<SchemathesisResult> {
  const lines: string[] = []
  const missing = await ensureSchemathesis(lines)
  if (missing) return { ran: false, reason: missing, output_lines: lines }
  const dir = await mkdtemp(join(tmpdir(), 'bench-fuzz-st-'))
  try {
    const config = join(dir, 'schemathesis.toml')
    await writeFile(config, `[[operations]]\ninclude-path-regex = "\\\\{source\\\\}"\nparameters = { source = "${options.source}" }\n`)
    const args = [
      '--config-file',
      config,
      'run',
      options.openApiUrl,
      '--url',
      options.baseUrl,
      '--max-examples',
      String(options.maxExamples),
      '--max-time',
      String(options.maxSeconds),
      '--seed',
      String(options.seed),
      '--checks',
      checks.join(','),
      '--report',
      'json,ndjson',
      '--report-dir',
      join(dir, 'report'),
      '--request-timeout',
      '10',
    ]
    const began = performance.now()
    const code = await run(venvBin, args, lines, (options.maxSeconds + 120) * 1000)
    const seconds = Math.round((performance.now() - began) / 100) / 10
    const files = await readdir(join(dir, 'report')).catch(() => [] as string[])
    const ndjson = files.find((f) => f.endsWith('.ndjson'))
    const json = files.find((f) => f.endsWith('.json'))
    if (!ndjson || !json) return { ran: false, reason: `schemathesis exited ${code} without a report`, output_lines: lines }
    const summary = JSON.parse(await readFile(join(dir, 'report', json), 'utf8')) as {
      schemathesis_version: string
      test_cases: { generated: number; with_failures: number }
      failures?: unknown[]
    }
    const byStatus: Record<string, number> = {}
    for (const line of (await readFile(join(dir, 'report', ndjson), 'utf8')).split('\n')) {
      if (!line.includes('"ScenarioFinished"')) continue
      const event = JSON.parse(line) as {
        ScenarioFinished: { recorder?: { interactions?: Record<string, { response?: { status_code: number } }> } }
      }
      for (const interaction of Object.values(event.ScenarioFinished.recorder?.interactions ?? {})) {
        const status = String(interaction.response?.status_code ?? 'no_response')
        byStatus[status] = (byStatus[status] ?? 0) + 1
      }
    }
    const requests = Object.values(byStatus).reduce((a, b) => a + b, 0)
    const unexpected5xx = Object.entries(byStatus).reduce(
      (sum, [status, n]) => (status.startsWith('5') && status !== '503' ? sum + n : sum),
      0,
    )
    return {
      ran: true,
      version: summary.schemathesis_version,
      command: `schemathesis ${args.join(' ').replace(dir, '<tmp>').replace(dir, '<tmp>')}`,
      exit_code: code,
      seconds,
      test_cases: summary.test_cases.generated,
      failures: summary.test_cases.with_failures,
      failure_details: (summary.failures ?? []).slice(0, 10).map((f) => JSON.stringify(f).slice(0, 300)),
      requests,
      by_status: byStatus,
      unexpected_5xx: unexpected5xx,
      checks,
      output_lines: lines,
    }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

async function run(command: string, args: string[], lines: string[], timeoutMs: number): Promise<number | null> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } })
  for (const stream of [child.stdout, child.stderr]) {
    stream.setEncoding('utf8')
    stream.on('data', (chunk: string) => lines.push(...chunk.split('\n').filter((l) => l !== '')))
  }
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
  return await new Promise((resolve) => {
    child.on('error', (error) => {
      lines.push(String(error))
      clearTimeout(timer)
      resolve(null)
    })
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve(code)
    })
  })
}
