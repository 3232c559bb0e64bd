// Prints the workspace folders a service needs at run time: the service itself and every
// workspace package reached through `dependencies` (never devDependencies), one per line.
// The Dockerfile installs and copies exactly these, so an image holds no test or bench code.
//   node deploy/docker/list-workspace-deps.ts ingest
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

type Manifest = { name: string; dependencies?: Record<string, string> }

const root = join(import.meta.dirname, '..', '..')
const service = process.argv[2]
if (!service || !existsSync(join(root, 'services', service, 'package.json'))) {
  process.stderr.write(`usage: list-workspace-deps.ts <service>; services/${service ?? '?'}/package.json does not exist\n`)
  process.exit(2)
}

const folders = new Map<string, string>()
for (const parent of ['packages', 'services']) {
  for (const entry of readdirSync(join(root, parent))) {
    const file = join(root, parent, entry, 'package.json')
    if (existsSync(file)) folders.set((JSON.parse(readFileSync(file, 'utf8')) as Manifest).name, `${parent}/${entry}`)
  }
}

const needed: string[] = []
const visit = (folder: string): void => {
  if (needed.includes(folder)) return
  needed.push(folder)
  const manifest = JSON.parse(readFileSync(join(root, folder, 'package.json'), 'utf8')) as Manifest
  for (const [name, spec] of Object.entries(manifest.dependencies ?? {})) {
    if (!spec.startsWith('workspace:')) continue
    const dependency = folders.get(name)
    if (!dependency) throw new Error(`${folder} depends on ${name}, which is not in the workspace`)
    visit(dependency)
  }
}
visit(`services/${service}`)
process.stdout.write(`${needed.join('\n')}\n`)
