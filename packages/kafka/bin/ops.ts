// The operators' command line, `pnpm ops <command>`:
//   ops topics ensure|describe        the topology's topics and groups
//   ops dlq list|show|redrive         a group's dead letters
//   ops replay                        move a stopped group's offsets back
// See packages/kafka/OPS.md.
import { runOpsCommand } from '../src/ops/run-ops-command.ts'

// A log (not a terminal) gets a progress line at most this often.
const progressEveryMs = 5_000
let lastProgressAt = 0

const io = {
  out: (line: string) => console.log(line),
  err: (line: string) => console.error(line),
  progress: (line: string) => {
    if (process.stderr.isTTY) {
      process.stderr.write(line === '' ? '\r\x1b[2K' : `\r\x1b[2K${line}`)
      return
    }
    if (line !== '' && Date.now() - lastProgressAt >= progressEveryMs) {
      lastProgressAt = Date.now()
      console.error(line)
    }
  },
}

const controller = new AbortController()
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\nops: ${signal}, stopping`)
    controller.abort()
  })
}

try {
  process.exitCode = await runOpsCommand(process.argv.slice(2), io, process.env, controller.signal)
} catch (err) {
  // Expected failures are reported by the command; this is a bug or an unexpected outage.
  console.error(`ops: ${(err as Error).message}`)
  process.exitCode = 1
}
