// The email service's command line: preview a template with a sample (or given) event.
import { readFileSync, writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { normalizeNudjWebhook } from '@nudj-webhooks/contracts'
import { createFormatters, pickLocale } from '../src/templates/create-formatters.ts'
import { readEventFacts } from '../src/templates/event-facts.ts'
import { renderEmail } from '../src/templates/render-email.ts'
import { sampleEvents } from '../src/templates/sample-events.ts'
import { templateNames } from '../src/templates/template-catalog.ts'

const usage = `usage: pnpm email <command>

  preview <template> --out <file.html> [--event <body.json>] [--locale <bcp47>] [--name <first name>]
      Renders a template with a sample event (or the Nudj body in --event, as sent) and
      writes the HTML part to <file.html> and the plain-text part beside it (<file>.txt).
  templates
      Lists the templates.
  --help
      This text. The service itself: node services/email/src/main.ts --help

templates: ${templateNames.join(', ')}
`

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    out: { type: 'string' },
    event: { type: 'string' },
    locale: { type: 'string', default: 'en-GB' },
    name: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
})
const [command, template] = positionals

if (values.help || !command) {
  process.stdout.write(usage)
  process.exit(values.help ? 0 : 64)
}
if (command === 'templates') {
  process.stdout.write(`${templateNames.join('\n')}\n`)
  process.exit(0)
}
if (command !== 'preview' || !template || !values.out) {
  process.stderr.write(`email: ${command === 'preview' ? 'preview needs <template> and --out' : `unknown command ${command}`}\n\n${usage}`)
  process.exit(64)
}
if (!templateNames.includes(template)) {
  process.stderr.write(`email: no template ${template}; one of ${templateNames.join(', ')}\n`)
  process.exit(64)
}
const raw = values.event ? readFileSync(values.event, 'utf8') : JSON.stringify(sampleEvents[template])
const event = normalizeNudjWebhook(raw, {})
const locale = pickLocale(values.locale, 'en-GB')
const rendered = await renderEmail(
  template,
  { facts: readEventFacts(event), format: createFormatters(locale), name: values.name },
  'You receive this email because of your activity on Nudj.',
)
const textFile = values.out.replace(/\.html?$/i, '') + '.txt'
writeFileSync(values.out, rendered.html)
writeFileSync(textFile, `Subject: ${rendered.subject}\n\n${rendered.text}\n`)
console.log(`subject: ${rendered.subject}\nhtml: ${values.out}\ntext: ${textFile}`)
