import { timingSafeEqual } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry'
import { ConfigError, connectionSecurityEnv, loadConfig } from '@nudj-webhooks/config'
import { consumeUntil, startSaslKafka, uniqueName, type SaslKafka } from '@nudj-webhooks/testing'
import type { Kafka } from 'kafkajs'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import {
  connectionSecurity,
  createKafkaClient,
  ensureTopics,
  kafkajsProducerDriver,
  platformaticProducerDriver,
  type ConnectionSecurity,
  type CreateProducerDriver,
} from '../src/index.ts'
import { runOpsCommand } from '../src/ops/run-ops-command.ts'

const infra = inject('infra')
const logger = pino({ level: 'silent' })
const password = 'a-password-of-24-bytes!!'

/** The services' path: variables → loadConfig → connectionSecurity. */
function securityOf(env: Record<string, string>, brokers = ['127.0.0.1:9092'], registryUrl?: string) {
  const warnings: string[] = []
  const security = connectionSecurity({ ...loadConfig(connectionSecurityEnv(), env), brokers, SCHEMA_REGISTRY_URL: registryUrl }, (m) =>
    warnings.push(m),
  )
  return { security, warnings }
}

function problemsOf(env: Record<string, string>, brokers?: string[], registryUrl?: string): string[] {
  try {
    securityOf(env, brokers, registryUrl)
  } catch (err) {
    if (err instanceof ConfigError) return err.problems
    throw err
  }
  throw new Error('the settings were accepted')
}

describe('connectionSecurity refuses inconsistent settings at startup, never quoting a secret', () => {
  it('plaintext and unauthenticated is accepted on loopback silently, and with a warning towards a remote broker', () => {
    expect(securityOf({})).toEqual({ security: { kafka: {}, registryAuth: undefined }, warnings: [] })
    expect(securityOf({}, ['kafka-0.prod:9092']).warnings).toEqual([expect.stringContaining('neither encrypted nor authenticated')])
  })

  it('a SASL mechanism without user or password, or credentials without a mechanism, is refused', () => {
    expect(problemsOf({ KAFKA_SASL_MECHANISM: 'scram-sha-512' })).toEqual([
      'KAFKA_SASL_USERNAME: required when KAFKA_SASL_MECHANISM is scram-sha-512',
      'KAFKA_SASL_PASSWORD (or KAFKA_SASL_PASSWORD_FILE): required when KAFKA_SASL_MECHANISM is scram-sha-512',
    ])
    expect(problemsOf({ KAFKA_SASL_USERNAME: 'svc', KAFKA_SASL_PASSWORD: password })).toEqual([
      'KAFKA_SASL_USERNAME / KAFKA_SASL_PASSWORD: set, but KAFKA_SASL_MECHANISM is none (set the mechanism)',
    ])
    expect(() => securityOf({ KAFKA_SASL_MECHANISM: 'gssapi' })).toThrow(/KAFKA_SASL_MECHANISM/)
  })

  it('a short or empty password is refused by name, its value never shown', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kafka-security-'))
    try {
      await writeFile(join(dir, 'empty'), '\n')
      const short = problemsOf({ KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'svc', KAFKA_SASL_PASSWORD: 'hunter2' })
      expect(short).toEqual(['KAFKA_SASL_PASSWORD: the secret is shorter than 16 bytes'])
      const empty = problemsOf({ SCHEMA_REGISTRY_USERNAME: 'svc', SCHEMA_REGISTRY_PASSWORD_FILE: join(dir, 'empty') })
      expect(empty).toEqual([`SCHEMA_REGISTRY_PASSWORD_FILE: the secret in ${join(dir, 'empty')} is empty`])
      expect(JSON.stringify([short, empty])).not.toContain('hunter2')
    } finally {
      await rm(dir, { recursive: true })
    }
  })

  it('a password that would cross the network in clear text is refused; on loopback it is allowed', () => {
    const plain = { KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'svc', KAFKA_SASL_PASSWORD: password }
    expect(problemsOf(plain, ['10.0.0.5:9092'])).toEqual([
      'KAFKA_SASL_MECHANISM: plain sends the password in clear text; set KAFKA_SSL=true (or use scram-sha-512)',
    ])
    expect(securityOf(plain, ['127.0.0.1:9092', 'localhost:9093']).security.kafka.sasl).toEqual({
      mechanism: 'plain',
      username: 'svc',
      password,
    })
    expect(securityOf({ ...plain, KAFKA_SSL: 'true' }, ['10.0.0.5:9092']).warnings).toEqual([])
    const registry = { SCHEMA_REGISTRY_USERNAME: 'svc', SCHEMA_REGISTRY_PASSWORD: password }
    expect(problemsOf(registry, undefined, 'http://registry.prod:8081/apis/ccompat/v7')).toEqual([
      'SCHEMA_REGISTRY_URL: basic auth over http:// sends the password in clear text; use https://',
    ])
    expect(securityOf(registry, undefined, 'https://registry.prod/apis/ccompat/v7').security.registryAuth).toEqual({
      username: 'svc',
      password,
    })
  })

  it('scram without TLS to a remote broker is allowed with a warning', () => {
    const scram = { KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'svc', KAFKA_SASL_PASSWORD: password }
    expect(securityOf(scram, ['10.0.0.5:9092']).warnings).toEqual([expect.stringContaining('the records are not encrypted')])
  })

  it('TLS files: unreadable, set without KAFKA_SSL, or a certificate without its key, are refused', () => {
    expect(problemsOf({ KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: '/nonexistent/ca.pem' })).toEqual([
      'KAFKA_SSL_CA_FILE: cannot read /nonexistent/ca.pem: ENOENT',
    ])
    expect(problemsOf({ KAFKA_SSL_CA_FILE: '/nonexistent/ca.pem' })).toContain('KAFKA_SSL_CA_FILE: set, but KAFKA_SSL is not true')
    expect(problemsOf({ KAFKA_SSL: 'true', KAFKA_SSL_CERT_FILE: '/nonexistent/c.pem' })).toContain(
      'KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE: a client certificate needs both',
    )
    expect(problemsOf({ SCHEMA_REGISTRY_USERNAME: 'svc' })).toEqual([
      'SCHEMA_REGISTRY_PASSWORD (or SCHEMA_REGISTRY_PASSWORD_FILE): required with SCHEMA_REGISTRY_USERNAME',
    ])
  })
})

describe('a broker whose listeners require SASL/SCRAM-SHA-512', () => {
  let broker: SaslKafka
  let dir: string
  let good: ConnectionSecurity
  let goodTls: ConnectionSecurity
  let admin: ReturnType<Kafka['admin']>
  const scram = (user: string, passwordFile: string) => ({
    KAFKA_SASL_MECHANISM: 'scram-sha-512',
    KAFKA_SASL_USERNAME: user,
    KAFKA_SASL_PASSWORD_FILE: passwordFile,
  })

  beforeAll(async () => {
    broker = await startSaslKafka()
    dir = await mkdtemp(join(tmpdir(), 'kafka-security-'))
    await writeFile(join(dir, 'password'), `${broker.user.password}\n`)
    await writeFile(join(dir, 'wrong'), 'not-the-password-at-all\n')
    good = securityOf(scram(broker.user.username, join(dir, 'password')), broker.brokers).security
    goodTls = securityOf(
      { ...scram(broker.user.username, join(dir, 'password')), KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: broker.caFile },
      broker.tlsBrokers,
    ).security
    admin = client(broker.brokers, good).admin()
    await admin.connect()
  }, 120_000)

  afterAll(async () => {
    await admin?.disconnect()
    await broker?.close()
    if (dir) await rm(dir, { recursive: true, force: true })
  })

  const client = (brokers: string[], security: ConnectionSecurity): Kafka =>
    createKafkaClient({ brokers, clientId: 'security-test', logger, security: security.kafka })

  async function topic(): Promise<string> {
    const name = uniqueName('secure')
    await ensureTopics(admin, [{ topic: name, partitions: 1, replicationFactor: 1 }])
    return name
  }

  /** Records on the topic, counted by its high watermark. */
  async function written(name: string): Promise<number> {
    return (await admin.fetchTopicOffsets(name)).reduce((sum, p) => sum + Number(p.high), 0)
  }

  async function produceAndConsume(brokers: string[], security: ConnectionSecurity) {
    const name = await topic()
    const drivers: [string, CreateProducerDriver][] = [
      ['kafkajs', kafkajsProducerDriver(client(brokers, security))],
      ['platformatic', platformaticProducerDriver({ brokers, clientId: 'security-test', security: security.kafka })],
    ]
    for (const [driverName, create] of drivers) {
      const driver = await create()
      try {
        await driver.send([{ topic: name, key: driverName, value: Buffer.from(`from ${driverName}`) }], { compression: 'none' })
      } finally {
        await driver.close()
      }
    }
    const records = await consumeUntil(client(brokers, security), {
      topics: [name],
      groupId: uniqueName('secure-check'),
      until: (r) => r.length >= 2,
    })
    return records.map((r) => [r.message.key?.toString(), r.message.value?.toString()])
  }

  it('the right credentials produce through both drivers and consume (SASL_PLAINTEXT)', async () => {
    expect(await produceAndConsume(broker.brokers, good)).toEqual([
      ['kafkajs', 'from kafkajs'],
      ['platformatic', 'from platformatic'],
    ])
  })

  it('the right credentials produce through both drivers and consume over TLS, the CA from KAFKA_SSL_CA_FILE (SASL_SSL)', async () => {
    expect(await produceAndConsume(broker.tlsBrokers, goodTls)).toEqual([
      ['kafkajs', 'from kafkajs'],
      ['platformatic', 'from platformatic'],
    ])
  })

  it('a wrong password is an authentication error for the producers, the consumer and the admin, and nothing is written', async () => {
    const wrong = securityOf(scram(broker.user.username, join(dir, 'wrong')), broker.brokers).security
    const name = await topic()
    const refused = kafkajsProducerDriver(client(broker.brokers, wrong))()
    await expect(refused).rejects.toMatchObject({ name: 'KafkaJSSASLAuthenticationError' })
    await expect(refused).rejects.toThrow('invalid credentials with SASL mechanism SCRAM-SHA-512')
    await expect(
      platformaticProducerDriver({ brokers: broker.brokers, clientId: 'security-test', security: wrong.kafka })(),
    ).rejects.toMatchObject({ name: 'RetryableError', code: 'SASL_AUTHENTICATION_FAILED' })
    const consumer = client(broker.brokers, wrong).consumer({ groupId: uniqueName('secure-wrong') })
    await expect(consumer.connect()).rejects.toThrow(/SASL SCRAM SHA512 authentication failed/)
    await expect(client(broker.brokers, wrong).admin().connect()).rejects.toThrow(/SASL SCRAM SHA512 authentication failed/)
    expect(await written(name)).toBe(0)
  })

  it('an unknown user is refused the same way', async () => {
    const stranger = securityOf(scram('stranger', join(dir, 'password')), broker.brokers).security
    await expect(kafkajsProducerDriver(client(broker.brokers, stranger))()).rejects.toThrow(/SASL SCRAM SHA512 authentication failed/)
  })

  it('no credentials are refused by both listeners (the broker closes the connection), and nothing is written', async () => {
    const name = await topic()
    const none = createKafkaClient({ brokers: broker.brokers, clientId: 'security-test', logger })
    const producer = none.producer({ retry: { retries: 0 } })
    const sent = (async () => {
      await producer.connect()
      await producer.send({ topic: name, messages: [{ key: 'k', value: 'v' }] })
    })()
    await expect(sent).rejects.toThrow('Closed connection')
    await producer.disconnect()
    await expect(platformaticProducerDriver({ brokers: broker.brokers, clientId: 'security-test' })()).rejects.toMatchObject({
      code: 'PLT_KFK_NETWORK',
      message: 'Connection closed',
    })
    // TLS without SASL: the handshake succeeds, then the broker refuses the unauthenticated request.
    const tlsOnly = { kafka: { tls: goodTls.kafka.tls } }
    await expect(kafkajsProducerDriver(client(broker.tlsBrokers, tlsOnly))()).rejects.toThrow('Closed connection')
    expect(await written(name)).toBe(0)
  })

  it('the ops CLI reads the same variables: it creates topics over SASL_SSL, and a wrong password fails it', async () => {
    const name = uniqueName('ops_secure')
    const file = join(dir, `${name}.json`)
    await writeFile(
      file,
      JSON.stringify({
        defaults: { partitions: 1, replicationFactor: 1, retentionHours: 1 },
        auditTopic: `${name}.audit`,
        topics: [name],
        groups: {},
      }),
    )
    const env = {
      ...scram(broker.user.username, join(dir, 'password')),
      KAFKA_BROKERS: broker.tlsBrokers.join(','),
      KAFKA_SSL: 'true',
      KAFKA_SSL_CA_FILE: broker.caFile,
      OPS_TOPOLOGY_FILE: file,
    }
    const ops = async (extra: Record<string, string>) => {
      const lines: string[] = []
      const io = { out: (l: string) => lines.push(l), err: (l: string) => lines.push(l), progress: () => undefined }
      return { code: await runOpsCommand(['topics', 'ensure'], io, { ...env, ...extra }), output: lines.join('\n') }
    }
    const refused = await ops({ KAFKA_SASL_PASSWORD_FILE: join(dir, 'wrong') })
    expect(refused.code).toBe(1)
    expect(refused.output).toContain('SASL SCRAM SHA512 authentication failed')
    expect(await admin.listTopics()).not.toContain(name)
    const created = await ops({})
    expect(created.code).toBe(0)
    expect(created.output).toMatch(new RegExp(`created +${name} `))
    expect(await admin.listTopics()).toContain(name)
  })

  it('over TLS, a broker certificate the client does not trust is refused (verification is on)', async () => {
    const untrusted = { kafka: { tls: {}, sasl: goodTls.kafka.sasl } }
    await expect(kafkajsProducerDriver(client(broker.tlsBrokers, untrusted))()).rejects.toThrow(/self-signed certificate/)
    const refused = await platformaticProducerDriver({ brokers: broker.tlsBrokers, clientId: 'security-test', security: untrusted.kafka })()
      .then(() => undefined)
      .catch((err: unknown) => err)
    expect(messagesOf(refused)).toContainEqual(expect.stringContaining('self-signed certificate'))
  })
})

/** Every message in an error's tree (causes, aggregated errors), for a reason buried in a wrapper. */
function messagesOf(err: unknown, depth = 0): string[] {
  if (!(err instanceof Error) || depth > 8) return []
  const children = [err.cause, ...((err as { errors?: unknown[] }).errors ?? [])]
  return [err.message, ...children.flatMap((c) => messagesOf(c, depth + 1))]
}

describe('the registry client sends the configured credentials as Basic auth', () => {
  const username = 'registry-user'
  const secret = 'a-registry-password-of-32-bytes!'
  const seen: number[] = []
  let server: Server
  let proxyUrl: string

  // A loopback proxy in front of the real registry that requires Basic auth, as a registry
  // behind an authenticating gateway would: it answers 401 unless the header matches.
  beforeAll(async () => {
    const upstream = new URL(infra.schemaRegistryUrl)
    const expected = Buffer.from(`Basic ${Buffer.from(`${username}:${secret}`).toString('base64')}`)
    server = createServer((req, res) => {
      const given = Buffer.from(req.headers.authorization ?? '')
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        seen.push(401)
        res.writeHead(401, { 'www-authenticate': 'Basic realm="registry"', 'content-type': 'application/json' })
        res.end(JSON.stringify({ error_code: 401, message: 'Unauthorized' }))
        return
      }
      const chunks: Buffer[] = []
      req.on('data', (c: Buffer) => chunks.push(c))
      req.on('end', () => {
        const body = chunks.length > 0 ? Buffer.concat(chunks) : undefined
        const headers = { 'content-type': req.headers['content-type'] ?? 'application/json', accept: req.headers.accept ?? '*/*' }
        fetch(new URL(req.url ?? '/', upstream.origin), { method: req.method, headers, body })
          .then(async (answer) => {
            seen.push(answer.status)
            res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' })
            res.end(Buffer.from(await answer.arrayBuffer()))
          })
          .catch((err: unknown) => {
            res.writeHead(502)
            res.end(String(err))
          })
      })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as { port: number }
    proxyUrl = `http://127.0.0.1:${port}${upstream.pathname}`
  })

  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve))
  })

  const schema = (name: string) =>
    JSON.stringify({ type: 'record', name, namespace: 'test.security', fields: [{ name: 'n', type: 'int' }] })

  async function existsInRealRegistry(subject: string): Promise<boolean> {
    const response = await fetch(`${infra.schemaRegistryUrl}/subjects/${subject}/versions`)
    return response.status === 200
  }

  it('with SCHEMA_REGISTRY_USERNAME and SCHEMA_REGISTRY_PASSWORD it registers, encodes and decodes through the proxy', async () => {
    const { registryAuth } = securityOf(
      { SCHEMA_REGISTRY_USERNAME: username, SCHEMA_REGISTRY_PASSWORD: secret },
      undefined,
      proxyUrl,
    ).security
    const registry = new SchemaRegistry({ host: proxyUrl, auth: registryAuth })
    const subject = uniqueName('secure_subject')
    seen.length = 0
    const { id } = await registry.register({ type: SchemaType.AVRO, schema: schema(subject) }, { subject })
    const encoded = await registry.encode(id, { n: 42 })
    expect(await new SchemaRegistry({ host: proxyUrl, auth: registryAuth }).decode(encoded)).toEqual({ n: 42 })
    expect(seen.length).toBeGreaterThan(0)
    expect(seen).not.toContain(401)
    expect(await existsInRealRegistry(subject)).toBe(true)
  })

  it('without credentials, or with a wrong password, the registry answers 401 and nothing is registered', async () => {
    const wrongAuth = securityOf({ SCHEMA_REGISTRY_USERNAME: username, SCHEMA_REGISTRY_PASSWORD: `${secret}x` }, undefined, proxyUrl)
      .security.registryAuth
    for (const auth of [undefined, wrongAuth]) {
      const subject = uniqueName('secure_refused')
      seen.length = 0
      await expect(
        new SchemaRegistry({ host: proxyUrl, auth }).register({ type: SchemaType.AVRO, schema: schema(subject) }, { subject }),
      ).rejects.toThrow(/401|Unauthorized/)
      expect(seen).toEqual([401])
      expect(await existsInRealRegistry(subject)).toBe(false)
    }
  })
})
