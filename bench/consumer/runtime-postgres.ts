// Variant (d): a consumer with its effect in Postgres. Each record's JSON is parsed and a row
// written to a projection table, a whole batch in one statement, in the transaction that also
// writes the batch's ledger rows.
import { loadConsumerVariantConfig } from './config.ts'
import { runRuntimeVariant } from './run-runtime-variant.ts'
import { writeProjectionBatch, writeProjectionRow } from './write-projection.ts'
import type { ProjectedEvent } from './write-projection.ts'

const config = loadConsumerVariantConfig(process.argv.slice(2), process.env)
await runRuntimeVariant<ProjectedEvent>(config, {
  name: 'runtime-postgres',
  decode: (message) => JSON.parse(message.value.toString('utf8')) as ProjectedEvent,
  handler: writeProjectionRow,
  batchHandler: writeProjectionBatch,
})
