import { randomBytes } from 'node:crypto'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { loadStackConfig } from './config.ts'
import { freePort } from './free-port.ts'
import { repoRoot } from './repo-root.ts'
import { findJava } from './stack/find-java.ts'
import {
  formatKafkaStorage,
  isBrokerAnswering,
  kafkaLaunch,
  kafkaProperties,
  requireKafkaLibs,
  spawnKafka,
  writeKafkaConfig,
} from './stack/kafka-node.ts'
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
  const libs = requireKafkaLibs(stack)
  const java = await findJava(17, stack.javaHome)
  // keytool sits beside the java binary that runs the broker.
  const keytool = java.includes('/') ? join(dirname(java), 'keytool') : 'keytool'
  const home = await mkdtemp(join(tmpdir(), 'sasl-kafka-'))
  const node = { java, libs, home }
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
  const properties = kafkaProperties({
    writtenBy: 'startSaslKafka (@nudj-webhooks/testing), a throw-away broker',
    nodeId: 1,
    listeners: [
      { name: 'SASL', port, protocol: 'SASL_PLAINTEXT' },
      { name: 'TLS', port: tlsPort, protocol: 'SASL_SSL' },
    ],
    controllerPort,
    logDir: join(home, 'data'),
    replication: 1,
    partitions: 1,
    offsetsPartitions: 1,
    extra: [
      'sasl.enabled.mechanisms=SCRAM-SHA-512',
      'sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512',
      `listener.name.sasl.scram-sha-512.sasl.jaas.config=${jaas(` username="${admin.username}" password="${admin.password}"`)}`,
      `listener.name.tls.scram-sha-512.sasl.jaas.config=${jaas()}`,
      'listener.name.tls.ssl.keystore.type=PKCS12',
      `listener.name.tls.ssl.keystore.location=${keystore}`,
      `listener.name.tls.ssl.keystore.password=${storePassword}`,
      `listener.name.tls.ssl.key.password=${storePassword}`,
    ],
  })
  await writeKafkaConfig(home, properties)
  const scram = (u: { username: string; password: string }): string[] => [
    '--add-scram',
    `SCRAM-SHA-512=[name=${u.username},password=${u.password}]`,
  ]
  await formatKafkaStorage(node, randomBytes(16).toString('base64url'), ['--standalone', ...scram(admin), ...scram(user)])

  const kafka = spawnKafka(kafkaLaunch(node, ['-Xms256m', '-Xmx512m', '-XX:TieredStopAtLevel=1']), logFile)
  const broker: SaslKafka = {
    brokers: [`127.0.0.1:${port}`],
    tlsBrokers: [`127.0.0.1:${tlsPort}`],
    caFile,
    user,
    logText: async () => await readFile(logFile, 'utf8').catch(() => ''),
    async close() {
      await kafka.stop()
      await rm(home, { recursive: true, force: true })
    },
  }
  try {
    await waitFor(
      async () => {
        if (!kafka.running())
          throw new Error(`the SASL broker exited with ${kafka.child.exitCode}:\n${(await broker.logText()).slice(-3000)}`)
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
