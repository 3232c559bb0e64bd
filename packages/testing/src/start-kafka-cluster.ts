import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, openSync, closeSync } from 'node:fs'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { Kafka, logLevel } from 'kafkajs'
import { loadStackConfig } from './config.ts'
import { freePort } from './free-port.ts'
import { clusterProperties, type NodeSpec } from './kafka-cluster-properties.ts'
import { repoRoot } from './repo-root.ts'
import { log4jConfig as kafkaLog4jConfig } from './stack/kafka-server.ts'
import { waitFor } from './wait-for.ts'

export type KafkaCluster = {
  brokers: string[]
  nodes: (NodeSpec & { address: string; logFile: string })[]
  /** SIGKILL one node: no shutdown of any kind. */
  kill: (id: number) => Promise<void>
  /** Starts a killed node again on its own data and ports; resolves once all three are registered. */
  restart: (id: number) => Promise<void>
  /** SIGSTOP one node: its connections stay open and unanswered, as on a hung machine. */
  freeze: (id: number) => void
  /** SIGCONT a frozen node. */
  thaw: (id: number) => void
  /** Whether the node's process is still running. */
  alive: (id: number) => boolean
  /** Every line every node logged so far. */
  logLines: () => Promise<{ stream: string; lines: string[] }[]>
  /** Stops every node still running (SIGTERM, SIGKILL after 15 s). */
  close: () => Promise<void>
  /** Runs one of Kafka's own tools (a class of kafka-tools) and answers its output. */
  tool: (mainClass: string, args: string[]) => Promise<string>
}

const exec = promisify(execFile)

/**
 * Three Kafka 4.1.1 nodes, each broker and controller, as local processes on free loopback
 * ports, with data under `dir`; uses the jars the local stack already downloaded. For the
 * failover benchmark and the tests that kill a partition leader.
 */
export async function startKafkaCluster(dir: string, java = 'java'): Promise<KafkaCluster> {
  const stack = loadStackConfig(repoRoot)
  const libs = join(stack.artifactsDir, `kafka-${stack.kafka.version}`, 'libs')
  if (!existsSync(join(libs, '.complete'))) throw new Error(`no Kafka jars in ${libs}: run 'pnpm stack up kafka' once first`)
  const classpath = `${libs}/*`
  const nodes: (NodeSpec & { home: string; logFile: string })[] = []
  for (const id of [1, 2, 3]) {
    const home = join(dir, `node-${id}`)
    nodes.push({
      id,
      port: await freePort(),
      controllerPort: await freePort(),
      logDir: join(home, 'data'),
      home,
      logFile: join(home, 'server.log'),
    })
  }
  const clusterId = randomBytes(16).toString('base64url')
  for (const node of nodes) {
    await mkdir(node.logDir, { recursive: true })
    await writeFile(join(node.home, 'server.properties'), clusterProperties(node, nodes))
    await writeFile(join(node.home, 'log4j2.yaml'), kafkaLog4jConfig)
    await exec(java, ['-cp', classpath, 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', join(node.home, 'server.properties')], {
      timeout: 120_000,
    })
  }
  const children = new Map<number, ChildProcess>()
  const spawnNode = (node: (typeof nodes)[number]): void => {
    const out = openSync(node.logFile, 'a')
    const child = spawn(
      java,
      [
        '-Xms256m',
        '-Xmx768m',
        '-XX:+UseG1GC',
        `-Dlog4j2.configurationFile=${join(node.home, 'log4j2.yaml')}`,
        '-cp',
        classpath,
        'kafka.Kafka',
        join(node.home, 'server.properties'),
      ],
      { cwd: node.home, stdio: ['ignore', out, out] },
    )
    closeSync(out)
    children.set(node.id, child)
  }
  nodes.forEach(spawnNode)
  const brokers = nodes.map((n) => `127.0.0.1:${n.port}`)
  const alive = (id: number): boolean => {
    const child = children.get(id)
    return child !== undefined && child.exitCode === null && child.signalCode === null
  }
  const exited = async (child: ChildProcess): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return
    await new Promise((resolve) => child.once('exit', resolve))
  }
  const cluster: KafkaCluster = {
    brokers,
    nodes: nodes.map((n) => ({ ...n, address: `127.0.0.1:${n.port}` })),
    alive,
    async kill(id) {
      const child = children.get(id)
      if (!child) throw new Error(`no node ${id}`)
      child.kill('SIGKILL')
      await exited(child)
    },
    async restart(id) {
      const node = nodes.find((n) => n.id === id)
      if (!node || alive(id)) throw new Error(`node ${id} is not a stopped node of this cluster`)
      spawnNode(node)
      await waitFor(async () => (await brokerCount(brokers)) === 3, {
        timeoutMs: 120_000,
        intervalMs: 500,
        message: `node ${id} did not register again within 120 s`,
      })
    },
    freeze(id) {
      children.get(id)?.kill('SIGSTOP')
    },
    thaw(id) {
      children.get(id)?.kill('SIGCONT')
    },
    async logLines() {
      return await Promise.all(
        nodes.map(async (n) => ({ stream: `kafka-${n.id}`, lines: (await readFile(n.logFile, 'utf8').catch(() => '')).split('\n') })),
      )
    },
    async close() {
      const running = [...children.values()].filter((c) => c.exitCode === null && c.signalCode === null)
      for (const child of running) child.kill('SIGTERM')
      const timer = setTimeout(() => running.forEach((c) => c.kill('SIGKILL')), 15_000)
      await Promise.all(running.map(exited))
      clearTimeout(timer)
    },
    async tool(mainClass, args) {
      const { stdout } = await exec(java, ['-cp', classpath, mainClass, ...args], { timeout: 60_000 })
      return stdout
    },
  }
  // Whatever happens to the runner, no broker outlives it.
  process.once('exit', () => children.forEach((c) => c.exitCode === null && c.kill('SIGKILL')))
  try {
    await waitFor(async () => (await brokerCount(brokers)) === 3, {
      timeoutMs: 120_000,
      intervalMs: 500,
      message: 'the three brokers did not all register within 120 s',
    })
  } catch (error) {
    await cluster.close()
    throw error
  }
  return cluster
}

async function brokerCount(brokers: string[]): Promise<number> {
  const admin = new Kafka({
    brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1000,
    requestTimeout: 3000,
    retry: { retries: 0 },
  }).admin()
  try {
    await admin.connect()
    return (await admin.describeCluster()).brokers.length
  } catch {
    return 0
  } finally {
    await admin.disconnect().catch(() => undefined)
  }
}
