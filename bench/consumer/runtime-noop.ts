// Variant (c): what the runtime costs. runConsumer with effect 'postgres' and handlers that do
// nothing, so the figure is the runtime's own work: decode hand-off, one transaction per
// fetched batch with its ledger rows, offsets, metrics.
import { loadConsumerVariantConfig } from './config.ts'
import { runRuntimeVariant } from './run-runtime-variant.ts'

const config = loadConsumerVariantConfig(process.argv.slice(2), process.env)
await runRuntimeVariant<Buffer>(config, {
  name: 'runtime-noop',
  // The bytes as they are: parsing is the handler's business, and kafkajs-bare does not parse either.
  decode: (message) => message.value,
  handler: async () => {},
  batchHandler: async () => {},
})
