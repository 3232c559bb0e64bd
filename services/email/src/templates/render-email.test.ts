import { normalizeNudjWebhook } from '@nudj-webhooks/contracts'
import { describe, expect, it } from 'vitest'
import { createFormatters, pickLocale } from './create-formatters.ts'
import { readEventFacts } from './event-facts.ts'
import { renderEmail } from './render-email.ts'
import { sampleEvents } from './sample-events.ts'
import { templateNames } from './template-catalog.ts'

const render = async (template: string, body: unknown, locale = 'en-GB', name?: string) =>
  await renderEmail(
    template,
    { facts: readEventFacts(normalizeNudjWebhook(JSON.stringify(body), {})), format: createFormatters(locale), name },
    'footer',
  )

describe('renderEmail', () => {
  it('renders every template from its sample event, with both parts', async () => {
    for (const template of templateNames) {
      const email = await render(template, sampleEvents[template])
      expect(email.subject.length, template).toBeGreaterThan(5)
      expect(email.html, template).toMatch(/^<!doctype html>/i)
      expect(email.text, template).toContain('footer')
    }
  })

  it('escapes every payload value in the HTML and keeps it readable in the text', async () => {
    const hostile = '<script>alert("x")</script> & <b>'
    const body = {
      event: 'reward.earned',
      timestamp: '2026-03-14T09:26:53Z',
      data: { user: { id: 'u1' }, reward: { id: 'r1', name: hostile }, challenge: { id: 'c1', name: '"><img src=x onerror=alert(1)>' } },
    }
    const email = await render('reward-earned', body, 'en-GB', '<i>Ada</i>')
    expect(email.html).not.toContain('<script>')
    expect(email.html).not.toContain('<img src=x')
    expect(email.html).not.toContain('<i>Ada</i>')
    expect(email.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;')
    expect(email.text).toContain(hostile)
    expect(email.subject).toBe(`You earned ${hostile}`)
  })

  it('writes dates and amounts in the reader’s locale', async () => {
    const body = {
      event: 'reward.earned',
      timestamp: '2026-03-14T09:26:53Z',
      data: { user: { id: 'u1' }, reward: { id: 'r1', name: 'Gift card', value: 1234.5, currency: 'EUR' } },
    }
    const de = await render('reward-earned', body, 'de-DE')
    expect(de.subject).toBe('You earned Gift card (1.234,50\u00a0€)')
    expect(de.text).toContain('14. März 2026 um 09:26 UTC')
    const gb = await render('reward-earned', body, 'en-GB')
    expect(gb.subject).toBe('You earned Gift card (€1,234.50)')
    expect(gb.text).toContain('14 March 2026 at 09:26 UTC')
  })

  it('shows only web links as links', async () => {
    const body = {
      event: 'reward.delivered',
      timestamp: '2026-03-14T09:26:53Z',
      data: { user: { id: 'u1' }, reward: { id: 'r1', link: 'javascript:alert(1)' } },
    }
    const email = await render('reward-delivered', body)
    expect(email.html).not.toContain('javascript:')
  })

  it('falls back to the default locale for one Intl does not know', () => {
    expect(pickLocale('not a locale!', 'en-GB')).toBe('en-GB')
    expect(pickLocale('fr-fr', 'en-GB')).toBe('fr-FR')
    expect(pickLocale(undefined, 'en-GB')).toBe('en-GB')
  })
})
