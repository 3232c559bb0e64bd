import { randomBytes } from 'node:crypto'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { StackConfig } from '../config.ts'
import { findJava } from './find-java.ts'
import {
  formatKafkaStorage,
  isBrokerAnswering,
  kafkaLaunch,
  kafkaLibs,
  kafkaProperties,
  writeKafkaConfig,
  type KafkaNode,
} from './kafka-node.ts'
import { copyMavenDependencies } from './maven.ts'
import { pathExists } from './path-exists.ts'
import type { Server } from './server.ts'

// Kafka's POM leaves out the logging jars that its release archive ships; Kafka 4.0/4.1
// log through slf4j 1.7 into log4j 2.24.
const log4jVersion = '2.24.3'

/** A single combined broker and controller in KRaft mode, on loopback. */
export function createKafkaServer(config: StackConfig): Server {
  const { version, port, controllerPort } = config.kafka
  const libs = kafkaLibs(config)
  const home = join(config.dir, 'data', 'kafka')
  const logDir = join(home, 'log')
  const address = `127.0.0.1:${port}`
  const properties = kafkaProperties({
    writtenBy: 'the stack command',
    nodeId: 1,
    listeners: [{ name: 'PLAINTEXT', port, protocol: 'PLAINTEXT' }],
    controllerPort,
    logDir,
    replication: 1,
    partitions: 1,
    offsetsPartitions: 6,
  })
  const node = async (): Promise<KafkaNode> => ({ java: await findJava(17, config.javaHome), libs, home })

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
      await writeKafkaConfig(home, properties)
      if (!(await pathExists(join(logDir, 'meta.properties')))) {
        // A cluster id is a UUID written as 22 characters of URL-safe base64.
        await formatKafkaStorage(await node(), randomBytes(16).toString('base64url'), ['--standalone', '--ignore-formatted'])
      }
    },
    launch: async () => kafkaLaunch(await node(), ['-Xms512m', '-Xmx1g']),
    isHealthy: async () => await isBrokerAnswering([address]),
  }
}
