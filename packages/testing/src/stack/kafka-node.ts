import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, closeSync, openSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Kafka, logLevel, type SASLOptions } from 'kafkajs'
import type { StackConfig } from '../config.ts'
import { runCommand } from './run-command.ts'
import type { Launch } from './server.ts'

// What every Kafka node of this package shares, whoever starts it: the stack's broker, the
// three-node cluster and the SASL broker write their server.properties, format their storage
// and run the same jars the same way; only their listeners, quorum and durability differ.

export const log4jConfig = `Configuration:
  Appenders:
    Console:
      name: STDOUT
      PatternLayout:
        Pattern: "[%d] %p %m (%c)%n"
  Loggers:
    Root:
      level: INFO
      AppenderRef:
        - ref: STDOUT
`

/** Where the local stack keeps Kafka's jars (`pnpm stack up kafka` downloads them). */
export function kafkaLibs(config: StackConfig): string {
  return join(config.artifactsDir, `kafka-${config.kafka.version}`, 'libs')
}

/** The jars, or an error that says how to get them. */
export function requireKafkaLibs(config: StackConfig): string {
  const libs = kafkaLibs(config)
  if (!existsSync(join(libs, '.complete'))) throw new Error(`no Kafka jars in ${libs}: run 'pnpm stack up kafka' once first`)
  return libs
}

export type KafkaListener = { name: string; port: number; protocol: 'PLAINTEXT' | 'SASL_PLAINTEXT' | 'SASL_SSL' }

export type KafkaProperties = {
  /** Who writes the file, for its first line. */
  writtenBy: string
  nodeId: number
  /** The client listeners on 127.0.0.1; the first one also carries the brokers' own traffic. */
  listeners: KafkaListener[]
  controllerPort: number
  /** Every voter of a quorum of several nodes; a single node bootstraps from its own controller. */
  voters?: { id: number; controllerPort: number }[]
  logDir: string
  /** 1 for a single node; 3 with min.insync.replicas 2 and no unclean election, as in production. */
  replication: 1 | 3
  /** num.partitions and offsets.topic.num.partitions. */
  partitions: number
  offsetsPartitions: number
  /** Further `key=value` lines (SASL, TLS). */
  extra?: string[]
}

/** server.properties of a combined broker and controller in KRaft mode, on loopback. */
export function kafkaProperties(p: KafkaProperties): string {
  const minIsr = p.replication === 3 ? 2 : 1
  const listeners = p.listeners.map((l) => `${l.name}://127.0.0.1:${l.port}`).join(',')
  const quorum = p.voters
    ? `controller.quorum.voters=${p.voters.map((v) => `${v.id}@127.0.0.1:${v.controllerPort}`).join(',')}`
    : `controller.quorum.bootstrap.servers=127.0.0.1:${p.controllerPort}`
  return `# Written by ${p.writtenBy}; edits are overwritten at the next start.
process.roles=broker,controller
node.id=${p.nodeId}
listeners=${listeners},CONTROLLER://127.0.0.1:${p.controllerPort}
advertised.listeners=${listeners}
listener.security.protocol.map=${p.listeners.map((l) => `${l.name}:${l.protocol}`).join(',')},CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=${p.listeners[0]!.name}
${quorum}
log.dirs=${p.logDir}
num.partitions=${p.partitions}
# Topics are created on purpose (the services and tests say how many partitions).
auto.create.topics.enable=false
default.replication.factor=${p.replication}
min.insync.replicas=${minIsr}
unclean.leader.election.enable=false
offsets.topic.replication.factor=${p.replication}
# The first group join creates this topic; 50 partitions (the default) take seconds on a small machine.
offsets.topic.num.partitions=${p.offsetsPartitions}
transaction.state.log.replication.factor=${p.replication}
transaction.state.log.min.isr=${minIsr}
share.coordinator.state.topic.replication.factor=${p.replication}
share.coordinator.state.topic.min.isr=${minIsr}
group.initial.rebalance.delay.ms=0
${(p.extra ?? []).map((line) => `${line}\n`).join('')}`
}

/** One node's files: `home` holds server.properties and log4j2.yaml; `libs` the jars. */
export type KafkaNode = { java: string; libs: string; home: string }

/** Writes a node's server.properties and log4j2.yaml into its home folder. */
export async function writeKafkaConfig(home: string, properties: string): Promise<void> {
  await writeFile(join(home, 'server.properties'), properties)
  await writeFile(join(home, 'log4j2.yaml'), log4jConfig)
}

/** `kafka-storage format` of the node's log dirs under `clusterId`, with further arguments (`--standalone`, `--add-scram`). */
export async function formatKafkaStorage(node: KafkaNode, clusterId: string, args: string[] = []): Promise<void> {
  await runCommand(node.java, [
    ...['-cp', `${node.libs}/*`, 'kafka.tools.StorageTool', 'format', '-t', clusterId],
    ...['-c', join(node.home, 'server.properties'), ...args],
  ])
}

/** How to run the node: its JVM options (heap first), then the same G1, logging and class path for all. */
export function kafkaLaunch(node: KafkaNode, jvmOptions: string[]): Launch {
  return {
    command: node.java,
    args: [
      ...jvmOptions,
      '-XX:+UseG1GC',
      `-Dlog4j2.configurationFile=${join(node.home, 'log4j2.yaml')}`,
      ...['-cp', `${node.libs}/*`, 'kafka.Kafka', join(node.home, 'server.properties')],
    ],
    cwd: node.home,
  }
}

export type KafkaProcess = {
  child: ChildProcess
  running: () => boolean
  /** SIGKILL: no shutdown of any kind. */
  kill: () => Promise<void>
  /** SIGTERM, SIGKILL after 15 s; resolves once it has exited. */
  stop: () => Promise<void>
}

/**
 * Runs a node as a child of this process (its output appended to `logFile`) that never
 * outlives it; for the brokers a test owns. The stack's broker runs detached instead.
 */
export function spawnKafka(launch: Launch, logFile: string): KafkaProcess {
  const out = openSync(logFile, 'a')
  const child = spawn(launch.command, launch.args, { cwd: launch.cwd, stdio: ['ignore', out, out] })
  closeSync(out)
  const running = (): boolean => child.exitCode === null && child.signalCode === null
  const killNow = (): void => void (running() && child.kill('SIGKILL'))
  // Whatever happens to the runner, the broker does not outlive it.
  process.once('exit', killNow)
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  void exited.then(() => process.off('exit', killNow)) // only unregisters; nothing to fail
  return {
    child,
    running,
    async kill() {
      killNow()
      await exited
    },
    async stop() {
      if (!running()) return
      child.kill('SIGTERM')
      const timer = setTimeout(killNow, 15_000)
      await exited
      clearTimeout(timer)
    },
  }
}

/** How many brokers the cluster reports; 0 when it does not answer within a few seconds (authenticated with `sasl` when given). */
export async function brokerCount(brokers: string[], sasl?: SASLOptions): Promise<number> {
  const admin = new Kafka({
    brokers,
    sasl,
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

/** Whether a broker answers a metadata request within a few seconds. */
export async function isBrokerAnswering(brokers: string[], sasl?: SASLOptions): Promise<boolean> {
  return (await brokerCount(brokers, sasl)) > 0
}
