import { KafkaContainer } from '@testcontainers/kafka'
import { GenericContainer, getContainerRuntimeClient, Wait, type StartedTestContainer } from 'testcontainers'
import type { Infra } from './infra.ts'
import { ccompatPath } from './stack/registry-server.ts'
import type { ServerName } from './stack/server.ts'

// The images docker-compose.yml uses too.
export const images = {
  kafka: 'confluentinc/cp-kafka:8.0.0',
  registry: 'apicurio/apicurio-registry:3.3.3',
  postgres: 'postgres:17-alpine',
  mailpit: 'axllent/mailpit:v1.27',
} as const

/** Whether a container engine answers; testcontainers throws when none does. */
export async function hasContainerRuntime(): Promise<boolean> {
  try {
    await getContainerRuntimeClient()
    return true
  } catch {
    return false
  }
}

/**
 * Starts the named servers as containers (for machines with Docker but without Java,
 * Maven or Go) and answers their addresses and a function that removes them.
 */
export async function startContainers(names: ServerName[]): Promise<{ infra: Partial<Infra>; stop: () => Promise<void> }> {
  const started: StartedTestContainer[] = []
  const infra: Partial<Infra> = {}
  const url = (c: StartedTestContainer, port: number): string => `${c.getHost()}:${c.getMappedPort(port)}`
  try {
    if (names.includes('kafka')) {
      const kafka = await new KafkaContainer(images.kafka).withKraft().withExposedPorts(9093).start()
      started.push(kafka)
      infra.kafkaBrokers = [url(kafka, 9093)]
    }
    if (names.includes('registry')) {
      const registry = await new GenericContainer(images.registry)
        .withExposedPorts(8080)
        .withWaitStrategy(Wait.forHttp(`${ccompatPath}/subjects`, 8080))
        .start()
      started.push(registry)
      infra.schemaRegistryUrl = `http://${url(registry, 8080)}${ccompatPath}`
    }
    if (names.includes('postgres')) {
      const postgres = await new GenericContainer(images.postgres)
        .withEnvironment({ POSTGRES_PASSWORD: 'postgres' })
        .withExposedPorts(5432)
        .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/, 2))
        .start()
      started.push(postgres)
      infra.databaseUrl = `postgres://postgres:postgres@${url(postgres, 5432)}/postgres`
    }
    if (names.includes('smtp')) {
      const mailpit = await new GenericContainer(images.mailpit)
        .withExposedPorts(1025, 8025)
        .withWaitStrategy(Wait.forHttp('/livez', 8025))
        .start()
      started.push(mailpit)
      infra.smtpUrl = `smtp://${url(mailpit, 1025)}`
      infra.mailApiUrl = `http://${url(mailpit, 8025)}`
    }
  } catch (err) {
    await Promise.all(started.map(async (c) => await c.stop()))
    throw err
  }
  return { infra, stop: async () => void (await Promise.all(started.map(async (c) => await c.stop()))) }
}
