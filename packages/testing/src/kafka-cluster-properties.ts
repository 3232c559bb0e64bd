/** One node of the three: its id and loopback ports. */
export type NodeSpec = { id: number; port: number; controllerPort: number; logDir: string }

/**
 * server.properties of a combined broker and controller in a three-voter KRaft quorum, with
 * production durability: replication 3, min.insync.replicas 2, no unclean leader election.
 * Timeouts are Kafka's defaults, so the failover is timed as it would be in production.
 */
export function clusterProperties(node: NodeSpec, all: NodeSpec[]): string {
  return `# Written by startKafkaCluster (@nudj-webhooks/testing); a throw-away cluster of three local processes.
process.roles=broker,controller
node.id=${node.id}
listeners=PLAINTEXT://127.0.0.1:${node.port},CONTROLLER://127.0.0.1:${node.controllerPort}
advertised.listeners=PLAINTEXT://127.0.0.1:${node.port}
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.quorum.voters=${all.map((n) => `${n.id}@127.0.0.1:${n.controllerPort}`).join(',')}
log.dirs=${node.logDir}
num.partitions=6
auto.create.topics.enable=false
default.replication.factor=3
min.insync.replicas=2
unclean.leader.election.enable=false
offsets.topic.replication.factor=3
offsets.topic.num.partitions=6
transaction.state.log.replication.factor=3
transaction.state.log.min.isr=2
share.coordinator.state.topic.replication.factor=3
share.coordinator.state.topic.min.isr=2
group.initial.rebalance.delay.ms=0
`
}
