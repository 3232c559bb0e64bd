import { mkdir, readdir, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { StackConfig } from '../config.ts'
import { findJava } from './find-java.ts'
import { copyMavenArtifact } from './maven.ts'
import { pathExists } from './path-exists.ts'
import { runCommand } from './run-command.ts'
import { isHttpOk, type Server } from './server.ts'

/** Where the Confluent-compatible API lives on an Apicurio Registry. */
export const ccompatPath = '/apis/ccompat/v7'

/**
 * Apicurio Registry 3.x, whose Confluent-compatible API the project talks to. Its Maven
 * Central `all` archive is a Quarkus fast-jar; 3.3 is compiled for Java 21. Its SQL storage
 * is an H2 database in a file under the stack's data folder, so schema ids survive a restart:
 * the records in Kafka carry those ids, and an empty registry could decode none of them.
 */
export function createRegistryServer(config: StackConfig): Server {
  const { version, port, managementPort } = config.registry
  const home = join(config.artifactsDir, `apicurio-registry-${version}`)
  const app = join(home, 'app')
  const address = `http://127.0.0.1:${port}${ccompatPath}`
  const dataDir = join(config.dir, 'data', 'registry')

  return {
    name: 'registry',
    address,
    ports: [port, managementPort],
    async prepare() {
      const complete = join(home, '.complete')
      if (await pathExists(complete)) return
      await rm(home, { recursive: true, force: true })
      await mkdir(app, { recursive: true })
      await copyMavenArtifact(`io.apicurio:apicurio-registry-app:${version}:tar.gz:all`, home)
      const archive = (await readdir(home)).find((name) => name.endsWith('.tar.gz'))
      if (!archive) throw new Error(`Maven copied no archive of apicurio-registry-app ${version} into ${home}`)
      await runCommand('tar', ['-xzf', join(home, archive), '-C', app])
      await rm(join(home, archive))
      await writeFile(complete, `${new Date().toISOString()}\n`)
    },
    async launch() {
      const java = await findJava(21, config.javaHome)
      await mkdir(dataDir, { recursive: true })
      return {
        command: java,
        args: [
          '-Xmx512m',
          '-Dquarkus.http.host=127.0.0.1',
          `-Dquarkus.http.port=${port}`,
          // Its management interface is fixed on at build time; keep it off 0.0.0.0:9000.
          '-Dquarkus.management.host=127.0.0.1',
          `-Dquarkus.management.port=${managementPort}`,
          '-Dapicurio.storage.sql.kind=h2',
          `-Dapicurio.datasource.url=jdbc:h2:file:${join(dataDir, 'registry')};DB_CLOSE_ON_EXIT=FALSE`,
          '-jar',
          join(app, 'quarkus-run.jar'),
        ],
        cwd: app,
      }
    },
    isHealthy: async () => await isHttpOk(`${address}/subjects`),
  }
}
