import { leadersByNode } from './prepare-topics.ts'
import type { KafkaCluster } from '@nudj-webhooks/testing'

export type Victim = { node: number; reason: string; quorum_leader: number | null; leaders_before: Record<string, number> }

/**
 * The node to kill: the active controller (the KRaft quorum's leader, asked of Kafka's own
 * metadata-quorum tool), or the node leading most partitions of ingest's topics.
 */
export async function chooseVictim(cluster: KafkaCluster, topics: string[], by: 'controller' | 'partition-leader'): Promise<Victim> {
  const leaders = await leadersByNode(cluster.brokers, topics)
  const status = await cluster
    .tool('org.apache.kafka.tools.MetadataQuorumCommand', ['--bootstrap-server', cluster.brokers.join(','), 'describe', '--status'])
    .catch(() => '')
  const quorumLeader = Number(/LeaderId:\s*(\d+)/.exec(status)?.[1] ?? NaN)
  const quorum = Number.isInteger(quorumLeader) ? quorumLeader : null
  const busiest = Number(Object.entries(leaders).sort(([, a], [, b]) => b - a)[0]?.[0] ?? 1)
  if (by === 'controller' && quorum !== null) {
    return {
      node: quorum,
      reason: `active controller (KRaft quorum leader), leading ${leaders[String(quorum)] ?? 0} partitions`,
      quorum_leader: quorum,
      leaders_before: leaders,
    }
  }
  const why = by === 'controller' ? 'the quorum leader could not be read; ' : ''
  return {
    node: busiest,
    reason: `${why}leader of the most partitions (${leaders[String(busiest)] ?? 0})`,
    quorum_leader: quorum,
    leaders_before: leaders,
  }
}
