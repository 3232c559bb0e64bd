import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { loadStackConfig } from './config.ts'
import { freePort } from './free-port.ts'
import { repoRoot } from './repo-root.ts'
import {
  brokerCount,
  formatKafkaStorage,
  kafkaLaunch,
  kafkaProperties,
  requireKafkaLibs,
  spawnKafka,
  writeKafkaConfig,
  type KafkaNode,
  type KafkaProcess,
} from './stack/kafka-node.ts'
import { waitFor } from './wait-for.ts'

/** One node of the three: its id, loopback ports and data. */
export type NodeSpec = { id: number; port: number; controllerPort: number; logDir: string }

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
 * ports, with data under `dir`; uses the jars the local stack already downloaded. Production
 * durability (replication 3, min.insync.replicas 2, no unclean leader election) and Kafka's
 * default timeouts, so a failover is timed as it would be in production. For the failover
 * benchmark and the tests that kill a partition leader.
 */
export async function startKafkaCluster(dir: string, java = 'java'): Promise<KafkaCluster> {
  const libs = requireKafkaLibs(loadStackConfig(repoRoot))
  const nodes: (NodeSpec & KafkaNode & { logFile: string })[] = []
  for (const id of [1, 2, 3]) {
    const home = join(dir, `node-${id}`)
    nodes.push({
      id,
      port: await freePort(),
      controllerPort: await freePort(),
      logDir: join(home, 'data'),
      java,
      libs,
      home,
      logFile: join(home, 'server.log'),
    })
  }
  const clusterId = randomBytes(16).toString('base64url')
  for (const node of nodes) {
    await mkdir(node.logDir, { recursive: true })
    const properties = kafkaProperties({
      writtenBy: 'startKafkaCluster (@nudj-webhooks/testing), a throw-away cluster of three local processes',
      nodeId: node.id,
      listeners: [{ name: 'PLAINTEXT', port: node.port, protocol: 'PLAINTEXT' }],
      controllerPort: node.controllerPort,
      voters: nodes,
      logDir: node.logDir,
      replication: 3,
      partitions: 6,
      offsetsPartitions: 6,
    })
    await writeKafkaConfig(node.home, properties)
    await formatKafkaStorage(node, clusterId)
  }
  const processes = new Map<number, KafkaProcess>()
  const spawnNode = (node: (typeof nodes)[number]): void =>
    void processes.set(node.id, spawnKafka(kafkaLaunch(node, ['-Xms256m', '-Xmx768m']), node.logFile))
  nodes.forEach(spawnNode)
  const brokers = nodes.map((n) => `127.0.0.1:${n.port}`)
  const alive = (id: number): boolean => processes.get(id)?.running() === true
  const allRegistered = async (message: string): Promise<void> => {
    await waitFor(async () => (await brokerCount(brokers)) === 3, { timeoutMs: 120_000, intervalMs: 500, message })
  }
  const cluster: KafkaCluster = {
    brokers,
    nodes: nodes.map((n) => ({ ...n, address: `127.0.0.1:${n.port}` })),
    alive,
    async kill(id) {
      const node = processes.get(id)
      if (!node) throw new Error(`no node ${id}`)
      await node.kill()
    },
    async restart(id) {
      const node = nodes.find((n) => n.id === id)
      if (!node || alive(id)) throw new Error(`node ${id} is not a stopped node of this cluster`)
      spawnNode(node)
      await allRegistered(`node ${id} did not register again within 120 s`)
    },
    freeze(id) {
      processes.get(id)?.child.kill('SIGSTOP')
    },
    thaw(id) {
      processes.get(id)?.child.kill('SIGCONT')
    },
    async logLines() {
      return await Promise.all(
        nodes.map(async (n) => ({ stream: `kafka-${n.id}`, lines: (await readFile(n.logFile, 'utf8').catch(() => '')).split('\n') })),
      )
    },
    async close() {
      await Promise.all([...processes.values()].map(async (p) => await p.stop()))
    },
    async tool(mainClass, args) {
      const { stdout } = await exec(java, ['-cp', `${libs}/*`, mainClass, ...args], { timeout: 60_000 })
      return stdout
    },
  }
  try {
    await allRegistered('the three brokers did not all register within 120 s')
  } catch (error) {
    await cluster.close()
    throw error
  }
  return cluster
}
