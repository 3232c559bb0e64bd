// Drives `pnpm stack` itself (the Postgres server, the quickest to start) in a stack
// folder of its own, on ports of its own, so it never touches the stack the suites use.
import { execFile } from 'node:child_process'
import { chmod, mkdtemp, rm } from 'node:fs/promises'
import { createServer, type Server } from 'node:net'
import { freePort } from '../src/free-port.ts'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isPortInUse } from '../src/stack/port-in-use.ts'

const stackBin = fileURLToPath(new URL('../bin/stack.ts', import.meta.url))
let dir: string
let port: number

type Run = { code: number; out: string }

async function stack(...args: string[]): Promise<Run> {
  return await stackWith({}, ...args)
}

async function stackWith(extraEnv: Record<string, string>, ...args: string[]): Promise<Run> {
  return await new Promise((resolve) => {
    const env = { ...process.env, STACK_DIR: dir, STACK_MODE: 'local', STACK_POSTGRES_PORT: String(port), ...extraEnv }
    execFile(process.execPath, [stackBin, ...args], { env, timeout: 120_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? Number(err.code ?? 1) : 0, out: stdout + stderr })
    })
  })
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stack-command-'))
  // As root, PostgreSQL runs as the `postgres` user, who must be able to reach its data.
  await chmod(dir, 0o755)
  port = await freePort()
})
afterAll(async () => {
  await stack('down')
  await rm(dir, { recursive: true, force: true })
})

describe('pnpm stack', () => {
  it('starts a server once, reports it healthy, and stops only what it started', async () => {
    const first = await stack('up', 'postgres')
    expect(first.out).toMatch(/postgres started/)
    expect(first.out).toContain(`DATABASE_URL=postgres://postgres:postgres@127.0.0.1:${port}/postgres`)
    expect(first.code).toBe(0)

    const status = await stack('status', 'postgres')
    expect(status.code).toBe(0)
    const pid = /postgres\s+healthy\s+pid (\d+)/.exec(status.out)?.[1]
    expect(pid).toBeDefined()

    const second = await stack('up', 'postgres')
    expect(second.out).toMatch(/postgres already running/)
    expect((await stack('status', 'postgres')).out).toContain(`pid ${pid}`)

    const down = await stack('down', 'postgres')
    expect(down.out).toContain('stopped postgres')
    expect(await isPortInUse(port)).toBe(false)
    const after = await stack('status', 'postgres')
    expect(after.code).toBe(3)
    expect(after.out).toMatch(/postgres\s+stopped/)
    expect((await stack('down', 'postgres')).out).toContain('nothing was running')
  })

  it('refuses to start on a port another process holds, and says so', async () => {
    const squatter: Server = createServer()
    await new Promise<void>((resolve) => squatter.listen(port, '127.0.0.1', resolve))
    try {
      const run = await stack('up', 'postgres')
      expect(run.code).toBe(1)
      expect(run.out).toContain(`port ${port} on 127.0.0.1 is taken by a process this stack did not start`)
    } finally {
      await new Promise((resolve) => squatter.close(resolve))
    }
  })

  it('rejects an unknown server or command with usage', async () => {
    expect(await stack('up', 'zookeeper')).toMatchObject({ code: 2, out: expect.stringContaining('unknown server zookeeper') as unknown })
    expect(await stack('restart')).toMatchObject({ code: 2, out: expect.stringContaining('usage: pnpm stack') as unknown })
  })

  it('names the missing tool when Maven or Go is absent', async () => {
    // A PATH holding only Node: no mvn, no go. The stack folder is empty, so each server
    // would have to fetch or build its artifacts first.
    const onlyNode: Record<string, string> = { PATH: dirname(process.execPath) }
    for (const name of ['STACK_KAFKA_PORT', 'STACK_KAFKA_CONTROLLER_PORT', 'STACK_SMTP_PORT', 'STACK_MAIL_API_PORT']) {
      onlyNode[name] = String(await freePort())
    }
    const kafka = await stackWith(onlyNode, 'up', 'kafka')
    expect(kafka.code).toBe(1)
    expect(kafka.out).toContain('Maven (mvn) is needed to fetch the Kafka and schema registry artifacts')
    const smtp = await stackWith(onlyNode, 'up', 'smtp')
    expect(smtp.code).toBe(1)
    expect(smtp.out).toContain('Go is needed once to build Mailpit')
  })
})
