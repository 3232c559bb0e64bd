import { convert } from 'html-to-text'
import mjml2html from 'mjml'
import { EmailError } from '../email-error.ts'
import { mj } from './markup.ts'
import { templates, type TemplateInput } from './template-catalog.ts'

export type RenderedEmail = { subject: string; html: string; text: string }

/**
 * One source, two parts: the template's MJML becomes the HTML part (mjml) and the HTML
 * becomes the plain-text part (html-to-text). Throws a fatal EmailError (TEMPLATE_FAILED) for a
 * template that cannot render: the same event would fail the same way again.
 */
export async function renderEmail(template: string, input: TemplateInput, footer: string): Promise<RenderedEmail> {
  const build = templates[template]
  if (!build) throw new EmailError('fatal', 'TEMPLATE_UNKNOWN', `no template named ${template}`)
  const { subject, preheader, content } = build(input)
  const source = mj`<mjml lang="${input.format.locale}">
<mj-head><mj-title>${subject}</mj-title><mj-preview>${preheader}</mj-preview>
<mj-attributes><mj-all font-family="Helvetica, Arial, sans-serif" /><mj-text font-size="15px" line-height="22px" color="#222222" /></mj-attributes>
</mj-head>
<mj-body background-color="#f4f4f7"><mj-section background-color="#ffffff" padding="24px"><mj-column>
${content}
<mj-divider border-width="1px" border-color="#dddddd" />
<mj-text font-size="12px" color="#888888">${footer}</mj-text>
</mj-column></mj-section></mj-body></mjml>`
  let html: string
  try {
    html = (await mjml2html(source.markup, { validationLevel: 'strict', keepComments: false })).html
  } catch (err) {
    throw new EmailError('fatal', 'TEMPLATE_FAILED', `template ${template} did not render: ${(err as Error).message}`, { cause: err })
  }
  const text = convert(html, {
    wordwrap: 78,
    selectors: [
      { selector: 'img', format: 'skip' },
      // The preheader (mj-preview) is for inbox lists only.
      { selector: 'div[style*="display:none"]', format: 'skip' },
      { selector: 'a', options: { hideLinkHrefIfSameAsText: true } },
      // mjml lays out with tables; read them as blocks, except real data tables.
      { selector: 'table', format: 'block' },
      { selector: 'tr', format: 'block' },
      { selector: 'td', format: 'inline' },
    ],
  })
  // A header never carries a line break, whatever the payload held.
  return { subject: subject.replace(/[\r\n]+/g, ' ').trim(), html, text: text.replace(/\n{3,}/g, '\n\n').trim() }
}
