// The Nudj simulator's command line:
//   nudj-sim send --url URL [options]       realistic signed traffic, delivered the way Nudj does
//   nudj-sim stand-in [--port N]            a local stand-in of Nudj's Admin API (pnpm nudj webhooks is its client)
import { runSendCommand } from '../src/cli/send-command.ts'
import { runStandInCommand } from '../src/cli/stand-in-command.ts'

const usage = `usage: nudj-sim <send|stand-in> [options]

  send       send a realistic stream of Nudj webhooks to a receiver and report
  stand-in   run a local stand-in of Nudj's Admin API that delivers events as Nudj does

Run nudj-sim <command> --help for its options.`

const io = {
  out: (line: string) => console.log(line),
  err: (line: string) => console.error(line),
  progress: (line: string) => {
    // A terminal gets one line rewritten in place; a log file gets nothing (the report follows).
    if (process.stderr.isTTY) process.stderr.write(`\r\x1b[2K${line}`)
  },
}

const controller = new AbortController()
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\nnudj-sim: ${signal}, stopping (the report follows)`)
    controller.abort()
  })
}

const [command, ...args] = process.argv.slice(2)
try {
  switch (command) {
    case 'send':
      process.exitCode = await runSendCommand(args, io, process.env, controller.signal)
      break
    case 'admin':
      console.error('nudj-sim: the Admin API client is now `pnpm nudj webhooks <list|register|logs>`')
      process.exitCode = 2
      break
    case 'stand-in':
      process.exitCode = await runStandInCommand(args, io, process.env, controller.signal)
      break
    case undefined:
      console.error(usage)
      process.exitCode = 2
      break
    case '-h':
    case '--help':
    case 'help':
      console.log(usage)
      break
    default:
      console.error(`nudj-sim: unknown command '${command}'\n\n${usage}`)
      process.exitCode = 2
  }
} catch (err) {
  console.error(`nudj-sim: ${(err as Error).message}`)
  process.exitCode = 1
}
