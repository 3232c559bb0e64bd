import { describe, expect, it } from 'vitest'
import { kafkaLaunch, kafkaProperties } from './kafka-node.ts'

/** The properties as a map, comments left out. */
const parse = (text: string): Record<string, string> =>
  Object.fromEntries(
    text
      .split('\n')
      .filter((line) => line !== '' && !line.startsWith('#'))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  )

describe('kafkaProperties', () => {
  it('writes a single node that bootstraps its own quorum, replication 1', () => {
    const properties = parse(
      kafkaProperties({
        writtenBy: 'a test',
        nodeId: 1,
        listeners: [{ name: 'PLAINTEXT', port: 9092, protocol: 'PLAINTEXT' }],
        controllerPort: 9093,
        logDir: '/data/log',
        replication: 1,
        partitions: 1,
        offsetsPartitions: 6,
      }),
    )
    expect(properties).toMatchObject({
      'process.roles': 'broker,controller',
      'node.id': '1',
      listeners: 'PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093',
      'advertised.listeners': 'PLAINTEXT://127.0.0.1:9092',
      'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
      'inter.broker.listener.name': 'PLAINTEXT',
      'controller.quorum.bootstrap.servers': '127.0.0.1:9093',
      'log.dirs': '/data/log',
      'num.partitions': '1',
      'auto.create.topics.enable': 'false',
      'offsets.topic.replication.factor': '1',
      'offsets.topic.num.partitions': '6',
      'transaction.state.log.min.isr': '1',
      'min.insync.replicas': '1',
    })
    expect(properties).not.toHaveProperty('controller.quorum.voters')
  })

  it('writes a node of three with static voters and production durability, and the extra lines last', () => {
    const text = kafkaProperties({
      writtenBy: 'a test',
      nodeId: 2,
      listeners: [
        { name: 'SASL', port: 19092, protocol: 'SASL_PLAINTEXT' },
        { name: 'TLS', port: 19094, protocol: 'SASL_SSL' },
      ],
      controllerPort: 19093,
      voters: [
        { id: 1, controllerPort: 19003 },
        { id: 2, controllerPort: 19093 },
        { id: 3, controllerPort: 19193 },
      ],
      logDir: '/data/2',
      replication: 3,
      partitions: 6,
      offsetsPartitions: 6,
      extra: ['sasl.enabled.mechanisms=SCRAM-SHA-512'],
    })
    expect(parse(text)).toMatchObject({
      listeners: 'SASL://127.0.0.1:19092,TLS://127.0.0.1:19094,CONTROLLER://127.0.0.1:19093',
      'listener.security.protocol.map': 'SASL:SASL_PLAINTEXT,TLS:SASL_SSL,CONTROLLER:PLAINTEXT',
      'inter.broker.listener.name': 'SASL',
      'controller.quorum.voters': '1@127.0.0.1:19003,2@127.0.0.1:19093,3@127.0.0.1:19193',
      'default.replication.factor': '3',
      'min.insync.replicas': '2',
      'unclean.leader.election.enable': 'false',
      'transaction.state.log.min.isr': '2',
      'share.coordinator.state.topic.min.isr': '2',
    })
    expect(parse(text)).not.toHaveProperty('controller.quorum.bootstrap.servers')
    expect(text.endsWith('sasl.enabled.mechanisms=SCRAM-SHA-512\n')).toBe(true)
  })
})

describe('kafkaLaunch', () => {
  it("runs kafka.Kafka on the node's properties, its JVM options first", () => {
    expect(kafkaLaunch({ java: '/jdk/bin/java', libs: '/libs', home: '/home/n1' }, ['-Xmx1g'])).toEqual({
      command: '/jdk/bin/java',
      args: [
        '-Xmx1g',
        '-XX:+UseG1GC',
        '-Dlog4j2.configurationFile=/home/n1/log4j2.yaml',
        '-cp',
        '/libs/*',
        'kafka.Kafka',
        '/home/n1/server.properties',
      ],
      cwd: '/home/n1',
    })
  })
})
