import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { promisify } from 'node:util'

const run = promisify(execFile)

/** The repository root and the folder scripts/install-deploy-tools.sh installs into. */
export const repoRoot = join(import.meta.dirname, '..', '..')
export const deployDir = join(repoRoot, 'deploy')
const tools = join(repoRoot, '.tools')

const install = 'run `bash scripts/install-deploy-tools.sh` (installs into .tools/)'

/** The path of a tool the deploy checks need, or an error saying how to get it. */
export function deployTool(name: 'kustomize' | 'kubeconform' | 'promtool'): string {
  if (name === 'promtool') {
    for (const candidate of ['/usr/bin/promtool', '/usr/local/bin/promtool']) if (existsSync(candidate)) return candidate
    throw new Error("promtool is missing: install Debian's prometheus package (bash scripts/install-system-packages.sh)")
  }
  const path = join(tools, 'bin', name)
  if (!existsSync(path)) throw new Error(`${name} is missing at ${path}: ${install}`)
  return path
}

/** The Kubernetes JSON schemas (from PyPI's kubernetes-validate) and KEDA's ScaledObject CRD. */
export function deploySchemaSources(): { kubernetes: string; scaledObjectCrd: string } {
  const kubernetes = join(tools, 'deploy/kubernetes-json-schema/v1.33.0-local-strict')
  const scaledObjectCrd = join(tools, 'deploy/crds/keda/keda.sh_scaledobjects.yaml')
  for (const path of [join(kubernetes, '_definitions.json'), scaledObjectCrd]) {
    if (!existsSync(path)) throw new Error(`${path} is missing: ${install}`)
  }
  return { kubernetes, scaledObjectCrd }
}

/** Strimzi's KafkaTopic (v1beta2) model, whose validate() is generated from Strimzi's CRD. */
export async function strimziKafkaTopic(): Promise<new (data: unknown) => { validate(): void }> {
  const file = join(
    tools,
    'deploy/strimzi-models/node_modules/@kubernetes-models/strimzi-kafka-operator/kafka.strimzi.io/v1beta2/KafkaTopic.js',
  )
  if (!existsSync(file)) throw new Error(`${file} is missing: ${install}`)
  const module = (await import(pathToFileURL(file).href)) as { KafkaTopic: new (data: unknown) => { validate(): void } }
  return module.KafkaTopic
}

/**
 * Runs a command and answers its output and exit code (a non-zero exit is not thrown). One
 * that runs past `timeoutMs` is killed and answers code -1, with what it wrote so far.
 */
export async function runTool(
  file: string,
  args: string[],
  cwd = repoRoot,
  env?: NodeJS.ProcessEnv,
  timeoutMs = 60_000,
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(file, args, { cwd, env, maxBuffer: 64 * 1024 * 1024, timeout: timeoutMs })
    return { code: 0, stdout, stderr }
  } catch (err) {
    const e = err as {
      code?: number | string | null
      killed?: boolean
      signal?: string | null
      stdout?: string
      stderr?: string
      message: string
    }
    if (e.killed === true && typeof e.code !== 'string') {
      const stderr = `${e.stderr ?? ''}\n${file} was killed (${e.signal ?? 'no signal'}) after ${timeoutMs} ms`
      return { code: -1, stdout: e.stdout ?? '', stderr }
    }
    if (typeof e.code !== 'number') throw err
    return { code: e.code, stdout: e.stdout ?? '', stderr: e.stderr ?? e.message }
  }
}
