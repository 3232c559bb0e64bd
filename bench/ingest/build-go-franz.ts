import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'

/** Builds the Go variant into `<buildDir>/go-franz`; the module's go.sum pins what the proxy serves. */
export async function buildGoFranz(repoRoot: string, buildDir: string): Promise<void> {
  const cwd = join(repoRoot, 'bench', 'ingest', 'go-franz')
  try {
    await promisify(execFile)('go', ['build', '-o', join(buildDir, 'go-franz'), '.'], { cwd, timeout: 300_000 })
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? ''
    throw new Error(`go build of ${cwd} failed: ${stderr.trim() || String(error)}`, { cause: error })
  }
}
