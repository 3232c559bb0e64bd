// The Kubernetes manifests, checked without a cluster: rendered by kustomize, validated
// strictly by kubeconform against the Kubernetes 1.33 schemas, KEDA's ScaledObject CRD and a
// KafkaTopic schema, then read for what the deployment promises.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { parseAllDocuments, stringify } from 'yaml'
import { retryTopicName } from '@nudj-webhooks/kafka'
import { planTopics, renderKafkaTopics } from '../k8s-topics/render-kafka-topics.ts'
import { deployDir, deploySchemaSources, deployTool, repoRoot, runTool, strimziKafkaTopic } from './deploy-tools.ts'
import { writeSchemas } from './kubernetes-schemas.ts'

type EnvVar = { name: string; value?: string; valueFrom?: unknown }
type Container = {
  image: string
  ports: { name: string }[]
  env?: EnvVar[]
  livenessProbe: { httpGet: unknown } & Record<string, unknown>
  readinessProbe: { httpGet: unknown }
  resources: Record<string, Record<string, string>>
  securityContext: unknown
}
type PodSpec = {
  containers: Container[]
  securityContext: unknown
  automountServiceAccountToken?: boolean
  topologySpreadConstraints: { topologyKey: string }[]
}
type Spec = {
  template?: { spec: PodSpec }
  selector?: { matchLabels: Record<string, string> }
  scaleTargetRef?: { name: string }
  metrics?: unknown
  triggers?: { type: string; metadata: Record<string, string> }[]
  maxReplicaCount?: number | string
  minReplicaCount?: number
  partitions?: number
  replica?: number
  config?: Record<string, unknown>
  ingress?: unknown
  maxUnavailable?: unknown
}
type Doc = {
  apiVersion: string
  kind: string
  metadata: { name?: string; generateName?: string }
  spec: Spec
  data: Record<string, string>
}

const overlays = ['dev', 'prod'] as const
const consumers = ['analytics', 'email', 'notifications'] as const
const services = ['ingest', ...consumers] as const
const jobFile = join(deployDir, 'k8s/jobs/ops-job.yaml')
const topology = JSON.parse(readFileSync(join(deployDir, 'topology.json'), 'utf8')) as {
  groups: Record<string, { topics: string[] }>
}

const work = mkdtempSync(join(tmpdir(), 'nudj-k8s-'))
const schemas = join(work, 'schemas')
const rendered: Record<string, Doc[]> = {}

const parseStream = (text: string): Doc[] => parseAllDocuments(text).map((d) => d.toJSON() as Doc)
const schemaFile = (doc: Doc): string => {
  const [group, version] = doc.apiVersion.includes('/') ? doc.apiVersion.split('/') : ['', doc.apiVersion]
  return `${doc.kind.toLowerCase()}${group ? `-${group.split('.')[0]}` : ''}-${version}.json`
}

async function kubeconform(
  file: string,
): Promise<{ code: number; summary: { valid: number; invalid: number; errors: number; skipped: number }; output: string }> {
  const result = await runTool(deployTool('kubeconform'), [
    '-strict',
    '-summary',
    '-output',
    'json',
    '-schema-location',
    join(schemas, '{{ .ResourceKind }}{{ .KindSuffix }}.json'),
    file,
  ])
  const parsed = JSON.parse(result.stdout) as { summary: { valid: number; invalid: number; errors: number; skipped: number } }
  return { code: result.code, summary: parsed.summary, output: result.stdout }
}

beforeAll(async () => {
  for (const overlay of overlays) {
    const result = await runTool(deployTool('kustomize'), ['build', join(deployDir, 'k8s/overlays', overlay)])
    expect(result.code, result.stderr).toBe(0)
    writeFileSync(join(work, `${overlay}.yaml`), result.stdout)
    rendered[overlay] = parseStream(result.stdout)
  }
  rendered.job = parseStream(readFileSync(jobFile, 'utf8'))
  const builtin = new Set(
    Object.values(rendered)
      .flat()
      .filter((d) => !['ScaledObject', 'KafkaTopic'].includes(d.kind))
      .map(schemaFile),
  )
  writeSchemas(schemas, deploySchemaSources(), [...builtin])
})

afterAll(() => rmSync(work, { recursive: true, force: true }))

describe('the rendered manifests', () => {
  it.each(overlays)('%s validates strictly against the Kubernetes, KEDA and KafkaTopic schemas', async (overlay) => {
    const { code, summary, output } = await kubeconform(join(work, `${overlay}.yaml`))
    expect({ code, ...summary }, output).toEqual({ code: 0, valid: rendered[overlay]!.length, invalid: 0, errors: 0, skipped: 0 })
    expect(new Set(rendered[overlay]!.map((d) => d.kind))).toEqual(
      new Set([
        'ConfigMap',
        'Service',
        'Deployment',
        'HorizontalPodAutoscaler',
        'PodDisruptionBudget',
        'NetworkPolicy',
        'ScaledObject',
        'KafkaTopic',
      ]),
    )
  })

  it.each(overlays)("%s: every KafkaTopic passes the validator generated from Strimzi's CRD, which refuses a bad one", async (overlay) => {
    const KafkaTopic = await strimziKafkaTopic()
    const topics = rendered[overlay]!.filter((d) => d.kind === 'KafkaTopic')
    expect(topics.length).toBeGreaterThan(20)
    for (const topic of topics) expect(() => new KafkaTopic(topic).validate(), topic.metadata.name).not.toThrow()
    const broken = structuredClone(topics[0]!)
    broken.spec.partitions = 0
    expect(() => new KafkaTopic(broken).validate()).toThrow(/partitions/)
  })

  it('the ops Job template validates too', async () => {
    const { code, summary, output } = await kubeconform(jobFile)
    expect({ code, ...summary }, output).toEqual({ code: 0, valid: 1, invalid: 0, errors: 0, skipped: 0 })
  })

  it('the validator refuses an unknown field, a wrong type and a bad ScaledObject (it is not a rubber stamp)', async () => {
    const docs = structuredClone(rendered.prod!)
    const deployment = docs.find((d) => d.kind === 'Deployment')!
    deployment.spec.template!.spec.containers[0]!.livenessProbe.httpGett = { path: '/livez' }
    const pdb = docs.find((d) => d.kind === 'PodDisruptionBudget')!
    pdb.spec.maxUnavailable = { one: 1 }
    const scaled = docs.find((d) => d.kind === 'ScaledObject')!
    scaled.spec.maxReplicaCount = 'six'
    const topic = docs.find((d) => d.kind === 'KafkaTopic')!
    topic.spec.replica = 3
    const broken = join(work, 'broken.yaml')
    writeFileSync(broken, docs.map((d) => stringify(d)).join('---\n'))
    const { code, summary } = await kubeconform(broken)
    expect(code).not.toBe(0)
    expect(summary.invalid).toBe(4)
  })
})

describe.each(overlays)('the %s overlay', (overlay) => {
  const docs = (): Doc[] => rendered[overlay]!
  const find = (kind: string, name: string): Doc | undefined => docs().find((d) => d.kind === kind && d.metadata.name === name)

  it.each(services)('%s: probes on the ops port, requests and limits, a locked-down container, spread, a PDB and a Service', (service) => {
    const deployment = find('Deployment', service)!
    expect(deployment, `Deployment ${service}`).toBeDefined()
    const pod = deployment.spec.template!.spec
    const container = pod.containers[0]!
    expect(pod.containers).toHaveLength(1)
    expect(container.ports.map((p) => p.name)).toEqual(['http', 'ops'])
    expect(container.livenessProbe.httpGet).toEqual({ path: '/livez', port: 'ops' })
    expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'ops' })
    for (const kind of ['requests', 'limits']) expect(Object.keys(container.resources[kind] ?? {}).sort()).toEqual(['cpu', 'memory'])
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } })
    expect(container.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      privileged: false,
      capabilities: { drop: ['ALL'] },
    })
    expect(pod.automountServiceAccountToken).toBe(false)
    expect(pod.topologySpreadConstraints.map((c) => c.topologyKey)).toEqual(['topology.kubernetes.io/zone', 'kubernetes.io/hostname'])
    // The ops listener must be reachable by the kubelet and Prometheus.
    expect(container.env).toContainEqual({ name: `${service.toUpperCase()}_OPS_HOST`, value: '0.0.0.0' })
    const selector = deployment.spec.selector!.matchLabels
    expect(find('PodDisruptionBudget', service)?.spec.selector?.matchLabels).toEqual(selector)
    expect(find('Service', service)?.spec.selector).toEqual(selector)
    const image = container.image
    expect(image).toMatch(
      overlay === 'prod' ? new RegExp(`/nudj-webhooks/${service}:\\d+\\.\\d+\\.\\d+$`) : new RegExp(`^nudj-webhooks/${service}:dev$`),
    )
  })

  it('ingest scales on CPU; each consumer on its lag, at most one replica per partition', () => {
    const hpa = find('HorizontalPodAutoscaler', 'ingest')!
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'ingest' })
    expect(hpa.spec.metrics).toEqual([
      { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 65 } } },
    ])
    const partitions = new Map(
      docs()
        .filter((d) => d.kind === 'KafkaTopic')
        .map((d) => [d.metadata.name!, d.spec.partitions!]),
    )
    for (const group of consumers) {
      const scaled = find('ScaledObject', group)!
      expect(scaled.spec.scaleTargetRef?.name).toBe(group)
      expect(scaled.spec.triggers).toHaveLength(1)
      expect(scaled.spec.triggers?.[0]).toMatchObject({ type: 'kafka', metadata: { consumerGroup: group, allowIdleConsumers: 'false' } })
      const cap = Math.min(...topology.groups[group]!.topics.map((t) => partitions.get(t)!))
      expect(scaled.spec.maxReplicaCount).toBe(cap)
      expect(scaled.spec.minReplicaCount).toBeLessThanOrEqual(cap)
    }
    // KEDA connects from its own namespace: the brokers' name must be fully qualified.
    const shared = docs().find((d) => d.kind === 'ConfigMap' && d.metadata.name!.startsWith('nudj-webhooks-shared'))!
    expect(shared.data.KAFKA_BROKERS).toMatch(/\.svc:9092$/)
  })

  it('a KafkaTopic for every topic the topology implies, with its partitions and retention', () => {
    const topics = docs().filter((d) => d.kind === 'KafkaTopic')
    const planned = planTopics(topology)
    expect(topics.map((t) => t.metadata.name).sort()).toEqual(planned.map((t) => t.name).sort())
    for (const plan of planned) {
      const topic = topics.find((t) => t.metadata.name === plan.name)!
      expect(topic.spec.partitions).toBe(plan.partitions)
      expect(topic.spec.config?.['retention.ms']).toBe(plan.retentionHours === -1 ? -1 : plan.retentionHours * 3_600_000)
      expect(topic.spec).toMatchObject(
        overlay === 'prod' ? { replicas: 3, config: { 'min.insync.replicas': 2 } } : { replicas: 1, config: { 'min.insync.replicas': 1 } },
      )
    }
  })

  it('no secret value anywhere: no Secret resources, credentials only through secret references', () => {
    expect(docs().filter((d) => d.kind === 'Secret')).toEqual([])
    const credential = /SECRET|PASSWORD|TOKEN|DATABASE_URL|SMTP_URL|AUTHORIZATION/
    for (const doc of [...docs(), ...rendered.job!]) {
      const containers = doc.spec?.template?.spec.containers ?? []
      for (const c of containers) {
        for (const e of c.env ?? [])
          if (credential.test(e.name)) expect(e, `${doc.kind} ${e.name}`).toHaveProperty('valueFrom.secretKeyRef')
      }
      if (doc.kind === 'ConfigMap') for (const key of Object.keys(doc.data ?? {})) expect(key).not.toMatch(credential)
    }
    const sources = docs().find((d) => d.kind === 'ConfigMap' && d.metadata.name!.startsWith('ingest-sources'))!
    expect(JSON.stringify(JSON.parse(sources.data['sources.json']!) as unknown)).not.toMatch(/"value":"(?!nudj-platform)/)
  })

  it('a default-deny NetworkPolicy, and the ops ports open only to the monitoring namespace', () => {
    expect(find('NetworkPolicy', 'default-deny')?.spec).toEqual({
      podSelector: { matchLabels: { 'app.kubernetes.io/part-of': 'nudj-webhooks' } },
      policyTypes: ['Ingress', 'Egress'],
    })
    // Every pod of the project is under it.
    for (const d of docs().filter((doc) => doc.kind === 'Deployment')) {
      expect(d.spec.template?.spec).toBeDefined()
      expect((d.spec.template as unknown as { metadata: { labels: Record<string, string> } }).metadata.labels).toMatchObject({
        'app.kubernetes.io/part-of': 'nudj-webhooks',
      })
    }
    const ops = find('NetworkPolicy', 'allow-ops-from-monitoring')!
    expect(ops.spec.ingress).toEqual([
      {
        from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }],
        ports: [{ protocol: 'TCP', port: 'ops' }],
      },
    ])
  })
})

it('names a retry topic as the services do, however its delay is written, and refuses a topology the ops CLI refuses', () => {
  const topology = {
    defaults: { partitions: 3, replicationFactor: 1, retentionHours: 24 },
    auditTopic: 'x.audit',
    topics: ['x.reward'],
    groups: { email: { topics: ['x.reward'], retrySchedule: ['60s', '90s', '1h'] } },
  }
  expect(
    planTopics(topology)
      .filter((t) => t.role === 'retry')
      .map((t) => t.name),
  ).toEqual([retryTopicName('email', 60_000), 'email.retry.90s', 'email.retry.1h'])
  expect(retryTopicName('email', 60_000)).toBe('email.retry.1m')
  const broken = { ...topology, groups: { email: { topics: ['x.nope'], retrySchedule: ['soon'] } } }
  expect(() => planTopics(broken)).toThrow(/groups\.email/)
})

it('kafka-topics.yaml is what deploy/bin/render-kafka-topics.ts makes of topology.json', () => {
  expect(readFileSync(join(deployDir, 'k8s/base/kafka-topics.yaml'), 'utf8')).toBe(renderKafkaTopics(topology))
})

it('the KafkaTopics are the topics `pnpm ops topics ensure` would create, by name, role and size (a dry run: nothing changes)', async () => {
  const { code, stdout, stderr } = await runTool(
    process.execPath,
    [join(repoRoot, 'packages/kafka/bin/ops.ts'), 'topics', 'ensure', '--dry-run'],
    repoRoot,
    {
      ...process.env,
      KAFKA_BROKERS: inject('infra').kafkaBrokers.join(','),
      OPS_TOPOLOGY_FILE: 'deploy/topology.json',
    },
  )
  expect(code, stderr).toBe(0)
  const lines = [
    ...stdout.matchAll(/^(ok|would create|would grow)\s+(\S+)\s+(\w+), (\d+) partitions?, replication \d+, retention (\S+)$/gm),
  ]
  const fromOps = lines.map((m) => ({
    name: m[2]!,
    role: m[3]!,
    partitions: Number(m[4]),
    retention: m[5]!,
    existing: m[1] !== 'would create',
  }))
  const planned = planTopics(topology)
  expect(fromOps.map(({ name, role }) => ({ name, role })).sort((a, b) => a.name.localeCompare(b.name))).toEqual(
    planned.map(({ name, role }) => ({ name, role })).sort((a, b) => a.name.localeCompare(b.name)),
  )
  // Sizes of topics that exist are what they are on this broker; the rest are what ops would make.
  for (const topic of fromOps.filter((t) => !t.existing)) {
    const plan = planned.find((p) => p.name === topic.name)!
    expect(topic.partitions, topic.name).toBe(plan.partitions)
    expect(topic.retention, topic.name).toBe(plan.retentionHours === -1 ? 'forever' : `${plan.retentionHours / 24}d`)
  }
})
