// docker-compose.yml, the Prometheus and Grafana files it mounts, and the Dockerfile, checked
// without a Docker engine: parsed and read for what `docker compose up` relies on.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { deployDir, repoRoot, runTool } from './deploy-tools.ts'

type ComposeService = {
  image?: string
  build?: { context: string; args?: Record<string, string> }
  ports?: string[]
  environment?: Record<string, string | number>
  depends_on?: Record<string, { condition: string }>
  healthcheck?: { test?: string[]; disable?: boolean }
  profiles?: string[]
  volumes?: string[]
  read_only?: boolean
}

const compose = parse(readFileSync(join(repoRoot, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, ComposeService>
  volumes: Record<string, unknown>
}
const services = compose.services
const apps = { ingest: '9090', analytics: '9191', notifications: '9192', email: '9193' } as const
const infra = {
  kafka: ['127.0.0.1:9092:9092'],
  registry: ['127.0.0.1:8081:8080'],
  postgres: ['127.0.0.1:5432:5432'],
  mailpit: ['127.0.0.1:1025:1025', '127.0.0.1:8025:8025'],
}

describe('docker-compose.yml', () => {
  it('keeps the servers packages/testing starts by name, at the same ports, with healthchecks', () => {
    for (const [name, ports] of Object.entries(infra)) {
      expect(services[name]?.ports, name).toEqual(ports)
      expect(services[name]?.healthcheck?.test, name).toBeDefined()
      expect(services[name]?.profiles, name).toBeUndefined()
    }
    expect(readFileSync(join(repoRoot, 'packages/testing/src/stack/docker-stack.ts'), 'utf8')).toContain(
      `const services = ['kafka', 'registry', 'postgres', 'mailpit']`,
    )
  })

  it('runs the whole pipeline by default and the simulator only in the sim profile', () => {
    const byDefault = Object.keys(services).filter((name) => !services[name]!.profiles)
    expect(byDefault.sort()).toEqual([...Object.keys(infra), ...Object.keys(apps), 'prometheus', 'grafana'].sort())
    expect(services.simulator?.profiles).toEqual(['sim'])
    expect(services.simulator?.depends_on).toEqual({ ingest: { condition: 'service_healthy' } })
  })

  it('every service has an image or a build, and a healthcheck unless it is a one-shot', () => {
    for (const [name, service] of Object.entries(services)) {
      expect(service.image ?? service.build, name).toBeDefined()
      if (name !== 'simulator') expect(service.healthcheck?.test, name).toBeDefined()
    }
  })

  it('depends_on names existing services, and waits for health only where there is a healthcheck', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const [target, { condition }] of Object.entries(service.depends_on ?? {})) {
        expect(services[target], `${name} depends on ${target}`).toBeDefined()
        expect(['service_started', 'service_healthy', 'service_completed_successfully']).toContain(condition)
        if (condition === 'service_healthy') expect(services[target]!.healthcheck?.test, `${target} (for ${name})`).toBeDefined()
      }
    }
  })

  it('publishes every port on loopback only', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const port of service.ports ?? []) expect(port, name).toMatch(/^127\.0\.0\.1:\d+:\d+$/)
    }
  })

  it('hard-wires no credential: each comes from a variable the operator can set', () => {
    const credential = /SECRET|PASSWORD|TOKEN|AUTHORIZATION|DATABASE_URL/
    let checked = 0
    for (const [name, service] of Object.entries(services)) {
      for (const [key, value] of Object.entries(service.environment ?? {})) {
        if (!credential.test(key)) continue
        checked++
        expect(String(value), `${name} ${key}`).toMatch(/\$\{[A-Z0-9_]+:-[^}]+\}/)
      }
    }
    expect(checked).toBeGreaterThanOrEqual(8)
  })

  it.each(Object.entries(apps))('%s is built from the Dockerfile, locked down, and told where everything is', (name, opsPort) => {
    const service = services[name]!
    expect(service.build).toEqual({ context: '.', args: { SERVICE: name } })
    expect(service.read_only).toBe(true)
    const env = service.environment!
    expect(env).toMatchObject({ KAFKA_BROKERS: 'kafka:19092', SCHEMA_REGISTRY_URL: 'http://registry:8080/apis/ccompat/v7' })
    expect(env[`${name.toUpperCase()}_OPS_HOST`]).toBe('0.0.0.0')
    expect(service.ports).toContain(`127.0.0.1:${opsPort}:${opsPort}`)
    expect(service.depends_on?.kafka).toEqual({ condition: 'service_healthy' })
    if (name !== 'ingest') {
      expect(env.CONSUMER_GROUP).toBe(name)
      expect(service.depends_on?.postgres).toEqual({ condition: 'service_healthy' })
    }
    if (name === 'email') expect(env.SMTP_URL).toBe('smtp://mailpit:1025')
  })

  it('Prometheus scrapes each service at its ops port and loads the rules; Grafana gets the datasource and dashboards', () => {
    for (const volume of [...services.prometheus!.volumes!, ...services.grafana!.volumes!]) {
      const source = volume.split(':')[0]!
      if (source.startsWith('./')) expect(existsSync(join(repoRoot, source)), source).toBe(true)
    }
    const prometheus = parse(readFileSync(join(deployDir, 'prometheus/prometheus.yml'), 'utf8')) as {
      rule_files: string[]
      scrape_configs: { job_name: string; static_configs: { targets: string[]; labels?: { service: string } }[] }[]
    }
    expect(prometheus.rule_files).toEqual(['/etc/prometheus/rules.yml'])
    const targets = prometheus.scrape_configs.find((c) => c.job_name === 'nudj-webhooks')!.static_configs
    expect(Object.fromEntries(targets.map((t) => [t.labels!.service, t.targets]))).toEqual(
      Object.fromEntries(Object.entries(apps).map(([name, port]) => [name, [`${name}:${port}`]])),
    )
    const datasource = parse(readFileSync(join(deployDir, 'grafana/provisioning/datasources/prometheus.yml'), 'utf8')) as {
      datasources: { uid: string; url: string }[]
    }
    expect(datasource.datasources).toMatchObject([{ uid: 'prometheus', url: 'http://prometheus:9090' }])
    const dashboards = parse(readFileSync(join(deployDir, 'grafana/provisioning/dashboards/nudj-webhooks.yml'), 'utf8')) as {
      providers: { options: { path: string } }[]
    }
    expect(services.grafana!.volumes).toContain(`./deploy/grafana/dashboards:${dashboards.providers[0]!.options.path}:ro`)
  })
})

describe('the Dockerfile', () => {
  const dockerfile = readFileSync(join(repoRoot, 'Dockerfile'), 'utf8')

  it('is multi-stage on Node 24, builds the service named by ARG SERVICE, runs as node with a healthcheck', () => {
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:24-bookworm-slim$/m)
    expect(dockerfile.match(/^FROM \$\{NODE_IMAGE\} AS \w+$/gm)).toEqual(['FROM ${NODE_IMAGE} AS build', 'FROM ${NODE_IMAGE} AS runtime'])
    expect(dockerfile).toMatch(/^ARG SERVICE$/m)
    expect(dockerfile).toMatch(/^USER node$/m)
    expect(dockerfile).toMatch(/^HEALTHCHECK .*healthcheck\.sh/m)
    expect(dockerfile).toMatch(/sh deploy\/docker\/build-app\.sh "\$SERVICE" \/out/)
    expect(readFileSync(join(deployDir, 'docker/build-app.sh'), 'utf8')).toMatch(
      /pnpm install --offline --frozen-lockfile --prod \$filters/,
    )
    expect(readFileSync(join(deployDir, 'docker/start.sh'), 'utf8')).toContain(
      'exec node ${INGEST_NODE_FLAGS---max-semi-space-size=8 --initial-old-space-size=64 --max-old-space-size=160} services/ingest/src/main.ts',
    )
  })

  it.each(Object.keys(apps))(
    'installs only what %s needs at run time: its workspace dependencies, never test or bench code',
    async (name) => {
      const { code, stdout, stderr } = await runTool(process.execPath, [join(deployDir, 'docker/list-workspace-deps.ts'), name])
      expect(code, stderr).toBe(0)
      const folders = stdout.trim().split('\n')
      expect(folders[0]).toBe(`services/${name}`)
      expect(folders).toContain('packages/kafka')
      for (const folder of folders) expect(existsSync(join(repoRoot, folder, 'package.json')), folder).toBe(true)
      expect(folders.filter((f) => /testing|nudj-sim|bench/.test(f))).toEqual([])
    },
  )

  it('the entry point starts ingest (here: its --help, from the working tree)', async () => {
    const { code, stdout } = await runTool('/bin/sh', [
      '-c',
      `SERVICE=ingest PATH="${join(process.execPath, '..')}:$PATH" sh deploy/docker/start.sh --help`,
    ])
    expect(code).toBe(0)
    expect(stdout).toContain('INGEST_OPS_PORT')
  })

  it('.dockerignore keeps dependencies, git, local state and tests out of the context', () => {
    const ignored = readFileSync(join(repoRoot, '.dockerignore'), 'utf8').split('\n')
    for (const entry of ['**/node_modules', '.git', '.tools', '.stack', '**/test', '**/*.test.ts', '**/.env'])
      expect(ignored).toContain(entry)
  })
})
