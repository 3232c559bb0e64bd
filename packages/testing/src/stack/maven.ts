import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { hasCommand, runCommand } from './run-command.ts'

// Maven 3.8 needs the plugin's version spelled out.
const dependencyPlugin = 'org.apache.maven.plugins:maven-dependency-plugin:3.8.1'

export type MavenDependency = { groupId: string; artifactId: string; version: string }

async function requireMaven(): Promise<void> {
  if (!(await hasCommand('mvn'))) {
    throw new Error(
      'Maven (mvn) is needed to fetch the Kafka and schema registry artifacts from Maven Central; install it (Debian: apt-get install maven) or use Docker (STACK_MODE=docker).',
    )
  }
}

/** Resolves dependencies with everything they need into `outDir` (one folder of jars). */
export async function copyMavenDependencies(workDir: string, outDir: string, dependencies: MavenDependency[]): Promise<void> {
  await requireMaven()
  const entries = dependencies
    .map(
      (d) =>
        `    <dependency><groupId>${d.groupId}</groupId><artifactId>${d.artifactId}</artifactId><version>${d.version}</version></dependency>`,
    )
    .join('\n')
  const pom = `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>nudj-webhooks.stack</groupId><artifactId>runtime</artifactId><version>1</version><packaging>pom</packaging>
  <dependencies>
${entries}
  </dependencies>
</project>
`
  const pomFile = join(workDir, 'pom.xml')
  await writeFile(pomFile, pom)
  await runCommand('mvn', ['-B', '-q', '-f', pomFile, `${dependencyPlugin}:copy-dependencies`, `-DoutputDirectory=${outDir}`])
}

/** Copies one artifact (`group:artifact:version:type[:classifier]`) into `outDir`. */
export async function copyMavenArtifact(coordinates: string, outDir: string): Promise<void> {
  await requireMaven()
  await runCommand('mvn', ['-B', '-q', `${dependencyPlugin}:copy`, `-Dartifact=${coordinates}`, `-DoutputDirectory=${outDir}`])
}
