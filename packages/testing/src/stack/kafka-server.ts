import { randomBytes } from 'node:crypto'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Kafka, logLevel, type SASLOptions } from 'kafkajs'
import type { StackConfig } from '../config.ts'
import { findJava } from './find-java.ts'
import { copyMavenDependencies } from './maven.ts'
import { pathExists } from './path-exists.ts'
import { runCommand } from './run-command.ts'
import type { Server } from './server.ts'

// Kafka's POM leaves out the logging jars that its release archive ships; Kafka 4.0/4.1
// log through slf4j 1.7 into log4j 2.24.
const log4jVersion = '2.24.3'

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

/** A single combined broker and controller in KRaft mode, on loopback. */
export function createKafkaServer(config: StackConfig): Server {
  const { version, port, controllerPort } = config.kafka
  const libs = join(config.artifactsDir, `kafka-${version}`, 'libs')
  const home = join(config.dir, 'data', 'kafka')
  const logDir = join(home, 'log')
  const address = `127.0.0.1:${port}`

  const properties = `# Written by the stack command; edits are overwritten at the next start.
process.roles=broker,controller
node.id=1
listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}
advertised.listeners=PLAINTEXT://${address}
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.quorum.bootstrap.servers=127.0.0.1:${controllerPort}
log.dirs=${logDir}
num.partitions=1
# Topics are created on purpose (the services and tests say how many partitions).
auto.create.topics.enable=false
offsets.topic.replication.factor=1
# The first group join creates this topic; 50 partitions (the default) take seconds on a small machine.
offsets.topic.num.partitions=6
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
`

  return {
    name: 'kafka',
    address,
    ports: [port, controllerPort],
    async prepare() {
      const complete = join(libs, '.complete')
      if (!(await pathExists(complete))) {
        await mkdir(libs, { recursive: true })
        await copyMavenDependencies(join(libs, '..'), libs, [
          { groupId: 'org.apache.kafka', artifactId: 'kafka_2.13', version },
          { groupId: 'org.apache.kafka', artifactId: 'kafka-tools', version },
          { groupId: 'org.apache.logging.log4j', artifactId: 'log4j-core', version: log4jVersion },
          { groupId: 'org.apache.logging.log4j', artifactId: 'log4j-slf4j-impl', version: log4jVersion },
          { groupId: 'org.apache.logging.log4j', artifactId: 'log4j-1.2-api', version: log4jVersion },
        ])
        await writeFile(complete, `${new Date().toISOString()}\n`)
      }
      await mkdir(logDir, { recursive: true })
      await writeFile(join(home, 'server.properties'), properties)
      await writeFile(join(home, 'log4j2.yaml'), log4jConfig)
      if (!(await pathExists(join(logDir, 'meta.properties')))) {
        // A cluster id is a UUID written as 22 characters of URL-safe base64.
        const clusterId = randomBytes(16).toString('base64url')
        const java = await findJava(17, config.javaHome)
        await runCommand(java, [
          '-cp',
          `${libs}/*`,
          'kafka.tools.StorageTool',
          'format',
          '-t',
          clusterId,
          '-c',
          join(home, 'server.properties'),
          '--standalone',
          '--ignore-formatted',
        ])
      }
    },
    async launch() {
      const java = await findJava(17, config.javaHome)
      return {
        command: java,
        args: [
          '-Xms512m',
          '-Xmx1g',
          '-XX:+UseG1GC',
          `-Dlog4j2.configurationFile=${join(home, 'log4j2.yaml')}`,
          '-cp',
          `${libs}/*`,
          'kafka.Kafka',
          join(home, 'server.properties'),
        ],
        cwd: home,
      }
    },
    isHealthy: async () => await isBrokerAnswering([address]),
  }
}

/** Whether a broker answers a metadata request within a few seconds (authenticated with `sasl` when given). */
export async function isBrokerAnswering(brokers: string[], sasl?: SASLOptions): Promise<boolean> {
  const admin = new Kafka({
    brokers,
    sasl,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1000,
    requestTimeout: 2000,
    retry: { retries: 0 },
  }).admin()
  try {
    await admin.connect()
    const cluster = await admin.describeCluster()
    return cluster.brokers.length > 0
  } catch {
    return false
  } finally {
    await admin.disconnect().catch(() => undefined)
  }
}
