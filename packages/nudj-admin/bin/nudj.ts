// The operator's command line for Nudj itself (step 1 of Nudj's integration guide):
//   nudj webhooks list|register|logs     through Nudj's Admin API; the token from NUDJ_ADMIN_TOKEN
import { runWebhooksCommand } from '../src/webhooks-command.ts'

const usage = `usage: nudj webhooks <list|register|logs> [options]

  webhooks   list the organisation's webhook configs, register this receiver (merged, never
             overwriting another config), or read Nudj's delivery log

Run nudj webhooks --help for more.`

const io = { out: (line: string) => console.log(line), err: (line: string) => console.error(line) }
const [command, ...args] = process.argv.slice(2)
try {
  if (command === 'webhooks') process.exitCode = await runWebhooksCommand(args, io, process.env)
  else if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    ;(command === undefined ? io.err : io.out)(usage)
    process.exitCode = command === undefined ? 2 : 0
  } else {
    io.err(`nudj: unknown command '${command}'\n\n${usage}`)
    process.exitCode = 2
  }
} catch (err) {
  io.err(`nudj: ${(err as Error).message}`)
  process.exitCode = 1
}
