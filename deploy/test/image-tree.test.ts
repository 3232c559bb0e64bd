// The image's file tree, built without Docker by the same script the Dockerfile runs
// (deploy/docker/build-app.sh) from a copy of the build context, then started the way the
// container starts it (deploy/docker/start.sh) and probed with the image's healthcheck.
// What this does not cover: the base image, corepack, the COPY and USER steps.
import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { createFreshDatabase, freePort, infraToEnv, uniqueName, waitFor, type FreshDatabase } from '@nudj-webhooks/testing'
import { repoRoot, runTool } from './deploy-tools.ts'

const infra = inject('infra')
const work = mkdtempSync(join(tmpdir(), 'nudj-image-'))
const context = join(work, 'context')
// This Node first on PATH, for `node` in the scripts (pnpm and tar as the caller has them).
const { PATH: callerPath = '' } = process.env
const path = `${dirname(process.execPath)}:${callerPath}`
const children: ChildProcess[] = []
const databases: FreshDatabase[] = []

beforeAll(async () => {
  // The build context as .dockerignore leaves it (the parts that matter to the build).
  const copy = [
    `mkdir -p '${context}'`,
    `tar -cf - --exclude=node_modules --exclude=.git --exclude=.tools --exclude=.stack --exclude=.ci --exclude=docs --exclude=coverage --exclude='*/test' --exclude='*.test.ts' --exclude=./bench --exclude=./deploy . | tar -xf - -C '${context}'`,
    `mkdir -p '${context}/bench' '${context}/deploy' && cp bench/package.json '${context}/bench/' && cp -r deploy/package.json deploy/topology.json deploy/docker '${context}/deploy/'`,
  ].join(' && ')
  const { code, stderr } = await runTool('/bin/sh', ['-c', copy], repoRoot)
  expect(code, stderr).toBe(0)
})

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL')
  await Promise.all(databases.map((d) => d.drop()))
  rmSync(work, { recursive: true, force: true })
})

// The build runs `pnpm install --offline --prod` of a copied tree: minutes on a loaded
// 2-core machine. Each test allows for the build, then 40 s of readiness and the healthcheck.
const buildTimeoutMs = 180_000
const testTimeoutMs = buildTimeoutMs + 60_000

async function build(service: string): Promise<string> {
  const out = join(work, service)
  const { code, stdout, stderr } = await runTool(
    '/bin/sh',
    [join(context, 'deploy/docker/build-app.sh'), service, out],
    context,
    { ...process.env, PATH: path, CI: 'true' },
    buildTimeoutMs,
  )
  expect(code, stdout + stderr).toBe(0)
  return out
}

/** Starts the tree like the container does; answers the exit code once SIGTERM was handled. */
async function runLikeTheContainer(out: string, env: Record<string, string>, opsPort: number): Promise<() => Promise<number | null>> {
  const lines: string[] = []
  const child = spawn('/bin/sh', [join(out, 'deploy/docker/start.sh')], {
    env: { ...process.env, ...env, PATH: path },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  children.push(child)
  child.stdout.on('data', (chunk: Buffer) => lines.push(chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => lines.push(chunk.toString()))
  await waitFor(
    async () => {
      if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode}: ${lines.join('').slice(-2000)}`)
      return (await fetch(`http://127.0.0.1:${opsPort}/readyz`).catch(() => undefined))?.ok === true
    },
    { timeoutMs: 40_000, intervalMs: 200, message: 'not ready from the image tree' },
  )
  const health = await runTool('/bin/sh', [join(out, 'deploy/docker/healthcheck.sh')], out, { ...process.env, ...env, PATH: path })
  expect(health.code, 'the image HEALTHCHECK').toBe(0)
  return async () => {
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
    child.kill('SIGTERM')
    return await exited
  }
}

function expectOnlyRuntimeFiles(out: string, service: string): void {
  expect(readdirSync(join(out, 'services'))).toEqual([service])
  expect(readdirSync(join(out, 'packages')).sort()).not.toContain('testing')
  expect(readdirSync(join(out, 'packages')).sort()).not.toContain('nudj-sim')
  expect(existsSync(join(out, 'services', service, 'test'))).toBe(false)
  const installed = readdirSync(join(out, 'node_modules/.pnpm'))
  for (const devOnly of ['vitest@', 'testcontainers@', 'typescript@', 'eslint@']) {
    expect(
      installed.filter((p) => p.startsWith(devOnly)),
      devOnly,
    ).toEqual([])
  }
}

describe('the image tree, built by deploy/docker/build-app.sh and started by deploy/docker/start.sh', () => {
  it('ingest: only its runtime files; ready, healthy, and exits 0 on SIGTERM', { timeout: testTimeoutMs }, async () => {
    const out = await build('ingest')
    expectOnlyRuntimeFiles(out, 'ingest')
    const [port, opsPort] = [await freePort(), await freePort()]
    const stop = await runLikeTheContainer(
      out,
      {
        ...infraToEnv(infra),
        SERVICE: 'ingest',
        KAFKA_TOPIC_PREFIX: uniqueName('deployimage'),
        KAFKA_TOPIC_PARTITIONS: '1',
        INGEST_HOST: '127.0.0.1',
        INGEST_PORT: String(port),
        INGEST_OPS_PORT: String(opsPort),
        INGEST_ALLOW_PLAIN_HTTP: 'true',
        INGEST_SOURCES_FILE: join(out, 'services/ingest/dev/sources.json'),
        NUDJ_DEV_GEN2_SECRET: randomBytes(24).toString('base64url'),
        NUDJ_DEV_GEN1_AUTHORIZATION: `Bearer ${randomBytes(24).toString('base64url')}`,
      },
      opsPort,
    )
    expect(await stop()).toBe(0)
  })

  it(
    'analytics (a consumer with migrations): only its runtime files; ready, healthy, and exits 0 on SIGTERM',
    { timeout: testTimeoutMs },
    async () => {
      const out = await build('analytics')
      expectOnlyRuntimeFiles(out, 'analytics')
      const database = await createFreshDatabase(infra.databaseUrl, 'deploy_image')
      databases.push(database)
      const [port, opsPort] = [await freePort(), await freePort()]
      const stop = await runLikeTheContainer(
        out,
        {
          ...infraToEnv(infra),
          SERVICE: 'analytics',
          DATABASE_URL: database.url,
          KAFKA_TOPIC_PREFIX: uniqueName('deployimage'),
          KAFKA_TOPIC_PARTITIONS: '1',
          CONSUMER_GROUP: uniqueName('deploy_image'),
          ANALYTICS_HOST: '127.0.0.1',
          ANALYTICS_PORT: String(port),
          ANALYTICS_OPS_PORT: String(opsPort),
        },
        opsPort,
      )
      expect(await stop()).toBe(0)
    },
  )
})
