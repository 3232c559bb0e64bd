import pg from 'pg'
import { uniqueName } from './unique-name.ts'

export type FreshDatabase = { url: string; name: string; drop: () => Promise<void> }

/** Creates an empty database for one suite, from an administrative connection URL. */
export async function createFreshDatabase(adminUrl: string, prefix = 'test'): Promise<FreshDatabase> {
  const name = uniqueName(prefix)
  const admin = new pg.Client({ connectionString: adminUrl })
  await admin.connect()
  try {
    await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(name)}`)
  } finally {
    await admin.end()
  }
  const url = new URL(adminUrl)
  url.pathname = `/${name}`
  return {
    url: url.toString(),
    name,
    async drop() {
      const client = new pg.Client({ connectionString: adminUrl })
      await client.connect()
      try {
        await client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(name)} WITH (FORCE)`)
      } finally {
        await client.end()
      }
    },
  }
}
