import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { closeSync, existsSync, openSync } from 'node:fs'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { loadStackConfig } from './config.ts'
import { freePort } from './free-port.ts'
import { repoRoot } from './repo-root.ts'
import { isBrokerAnswering, log4jConfig } from './stack/kafka-server.ts'
import { findJava } from './stack/find-java.ts'
import { runCommand } from './stack/run-command.ts'
import { waitFor } from './wait-for.ts'

export type SaslKafka = {
  /** The SASL_PLAINTEXT listener (SCRAM-SHA-512 only). */
  brokers: string[]
  /** The SASL_SSL listener (SCRAM-SHA-512 over TLS), its certificate issued to 127.0.0.1. */
  tlsBrokers: string[]
  /** The broker's self-signed certificate (PEM file): the CA a client must trust. */
  caFile: string
  /** A SCRAM-SHA-512 user the broker knows. */
  user: { username: string; password: string }
  /** The broker's log so far (for a failed test's diagnostics). */
  logText: () => Promise<string>
  /** Stops the broker (SIGTERM, SIGKILL after 15 s) and deletes its data. */
  close: () => Promise<void>
}

/**
 * A single-node KRaft broker of a test's own on loopback whose client listeners require
 * SASL/SCRAM-SHA-512: one in plaintext, one over TLS with a throw-away self-signed
 * certificate (made with the JDK's keytool). The SCRAM credentials are written by
 * `kafka-storage format --add-scram`, so they exist before the broker first starts. No
 * authorizer: an authenticated user may do anything, which is all an authentication test needs.
 */
export async function startSaslKafka(): Promise<SaslKafka> {
  const stack = loadStackConfig(repoRoot)
  const libs = join(stack.artifactsDir, `kafka-${stack.kafka.version}`, 'libs')
  if (!existsSync(join(libs, '.complete'))) throw new Error(`no Kafka jars in ${libs}: run 'pnpm stack up kafka' once first`)
  const java = await findJava(17, stack.javaHome)
  // keytool sits beside the java binary that runs the broker.
  const keytool = java.includes('/') ? join(dirname(java), 'keytool') : 'keytool'
  const home = await mkdtemp(join(tmpdir(), 'sasl-kafka-'))
  const [port, tlsPort, controllerPort] = [await freePort(), await freePort(), await freePort()]
  const secret = (): string => randomBytes(18).toString('base64url')
  const admin = { username: 'broker', password: secret() }
  const user = { username: 'service', password: secret() }
  const storePassword = secret()
  const [keystore, caFile, logFile] = [join(home, 'broker.p12'), join(home, 'ca.pem'), join(home, 'server.log')]

  const store = ['-keystore', keystore, '-storetype', 'PKCS12', '-storepass', storePassword]
  await runCommand(keytool, [
    ...['-genkeypair', '-alias', 'broker', '-keyalg', 'EC', '-groupname', 'secp256r1', '-validity', '2'],
    ...['-dname', 'CN=127.0.0.1', '-ext', 'SAN=ip:127.0.0.1', '-keypass', storePassword, ...store],
  ])
  await runCommand(keytool, ['-exportcert', '-rfc', '-alias', 'broker', '-file', caFile, ...store])

  const jaas = (credentials = ''): string => `org.apache.kafka.common.security.scram.ScramLoginModule required${credentials};`
  const properties = `# Written by startSaslKafka (@nudj-webhooks/testing); a throw-away broker.
process.roles=broker,controller
node.id=1
listeners=SASL://127.0.0.1:${port},TLS://127.0.0.1:${tlsPort},CONTROLLER://127.0.0.1:${controllerPort}
advertised.listeners=SASL://127.0.0.1:${port},TLS://127.0.0.1:${tlsPort}
listener.security.protocol.map=SASL:SASL_PLAINTEXT,TLS:SASL_SSL,CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
controller.quorum.bootstrap.servers=127.0.0.1:${controllerPort}
inter.broker.listener.name=SASL
sasl.enabled.mechanisms=SCRAM-SHA-512
sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512
listener.name.sasl.scram-sha-512.sasl.jaas.config=${jaas(` username="${admin.username}" password="${admin.password}"`)}
listener.name.tls.scram-sha-512.sasl.jaas.config=${jaas()}
listener.name.tls.ssl.keystore.type=PKCS12
listener.name.tls.ssl.keystore.location=${keystore}
listener.name.tls.ssl.keystore.password=${storePassword}
listener.name.tls.ssl.key.password=${storePassword}
log.dirs=${join(home, 'data')}
num.partitions=1
auto.create.topics.enable=false
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
`
  await writeFile(join(home, 'server.properties'), properties)
  await writeFile(join(home, 'log4j2.yaml'), log4jConfig)
  const scram = (u: { username: string; password: string }): string[] => [
    '--add-scram',
    `SCRAM-SHA-512=[name=${u.username},password=${u.password}]`,
  ]
  await runCommand(java, [
    ...['-cp', `${libs}/*`, 'kafka.tools.StorageTool', 'format', '-t', randomBytes(16).toString('base64url')],
    ...['-c', join(home, 'server.properties'), '--standalone', ...scram(admin), ...scram(user)],
  ])

  const out = openSync(logFile, 'a')
  const child: ChildProcess = spawn(
    java,
    [
      ...['-Xms256m', '-Xmx512m', '-XX:+UseG1GC', '-XX:TieredStopAtLevel=1'],
      ...[`-Dlog4j2.configurationFile=${join(home, 'log4j2.yaml')}`, '-cp', `${libs}/*`, 'kafka.Kafka', join(home, 'server.properties')],
    ],
    { cwd: home, stdio: ['ignore', out, out] },
  )
  closeSync(out)
  const kill = (): void => void (child.exitCode === null && child.kill('SIGKILL'))
  // Whatever happens to the runner, the broker does not outlive it.
  process.once('exit', kill)
  const running = (): boolean => child.exitCode === null && child.signalCode === null
  const broker: SaslKafka = {
    brokers: [`127.0.0.1:${port}`],
    tlsBrokers: [`127.0.0.1:${tlsPort}`],
    caFile,
    user,
    logText: async () => await readFile(logFile, 'utf8').catch(() => ''),
    async close() {
      process.off('exit', kill)
      if (running()) {
        const exited = new Promise((resolve) => child.once('exit', resolve))
        child.kill('SIGTERM')
        const timer = setTimeout(kill, 15_000)
        await exited
        clearTimeout(timer)
      }
      await rm(home, { recursive: true, force: true })
    },
  }
  try {
    await waitFor(
      async () => {
        if (!running()) throw new Error(`the SASL broker exited with ${child.exitCode}:\n${(await broker.logText()).slice(-3000)}`)
        return await isBrokerAnswering(broker.brokers, { mechanism: 'scram-sha-512', ...admin })
      },
      { timeoutMs: 90_000, intervalMs: 250, message: 'the SASL broker did not answer within 90 s' },
    )
  } catch (err) {
    await broker.close()
    throw err
  }
  return broker
}
