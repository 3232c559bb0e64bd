import { runCommand } from './run-command.ts'

/** The compose services that make up the infrastructure (docker-compose.yml). */
const services = ['kafka', 'registry', 'postgres', 'mailpit']

/** Whether a Docker engine answers (the `docker` client alone is not enough). */
export async function hasDockerEngine(): Promise<boolean> {
  try {
    await runCommand('docker', ['info', '--format', '{{.ServerVersion}}'])
    return true
  } catch {
    return false
  }
}

/** The same servers from images, through docker compose, for machines with an engine. */
export function createDockerStack(root: string) {
  const compose = async (...args: string[]): Promise<string> => await runCommand('docker', ['compose', ...args], { cwd: root })
  return {
    up: async () => await compose('up', '--detach', '--wait', ...services),
    status: async () => await compose('ps', ...services),
    down: async () => await compose('down'),
  }
}
