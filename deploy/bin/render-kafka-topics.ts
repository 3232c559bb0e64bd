// Writes deploy/k8s/base/kafka-topics.yaml: one Strimzi KafkaTopic per topic that
// deploy/topology.json implies (category topics, each group's retry topics and DLQ, the ops
// audit topic), named and sized exactly as `pnpm ops topics ensure` creates them
// (packages/kafka/OPS.md), with replication 3 and min.insync.replicas 2.
//   node deploy/bin/render-kafka-topics.ts           rewrite the file
//   node deploy/bin/render-kafka-topics.ts --check   exit 1 when the file is out of date
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { renderKafkaTopics } from '../k8s-topics/render-kafka-topics.ts'

const deploy = join(import.meta.dirname, '..')
const topology: unknown = JSON.parse(readFileSync(join(deploy, 'topology.json'), 'utf8'))
const target = join(deploy, 'k8s/base/kafka-topics.yaml')
const text = renderKafkaTopics(topology)
if (process.argv.includes('--check')) {
  if (readFileSync(target, 'utf8') !== text) {
    console.error('deploy/k8s/base/kafka-topics.yaml is out of date: run node deploy/bin/render-kafka-topics.ts')
    process.exit(1)
  }
  console.log('deploy/k8s/base/kafka-topics.yaml is up to date')
} else {
  writeFileSync(target, text)
  console.log(`wrote ${target}`)
}
