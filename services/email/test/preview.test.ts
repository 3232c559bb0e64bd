// The preview command as an operator runs it: `pnpm email preview <template> --out file.html`.
import { execFile } from 'node:child_process'
import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'

const bin = fileURLToPath(new URL('../bin/email.ts', import.meta.url))
const run = async (args: string[]) => await promisify(execFile)(process.execPath, [bin, ...args], { timeout: 20_000 })

describe('email preview', () => {
  it('writes the HTML and text parts of a template rendered with its sample event', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'email-preview-'))
    const { stdout } = await run(['preview', 'reward-delivered', '--out', join(dir, 'reward.html'), '--locale', 'fr-FR'])
    expect(stdout).toContain('subject: Your reward is ready: £25 gift card')
    expect(await readFile(join(dir, 'reward.html'), 'utf8')).toMatch(/^<!doctype html>[\s\S]*SAVE25-7F3A9C/i)
    const text = await readFile(join(dir, 'reward.txt'), 'utf8')
    expect(text).toContain('Your code: SAVE25-7F3A9C')
    expect(text).toContain('14 mars 2026')
  })

  it('renders a Nudj body given with --event, escaped', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'email-preview-'))
    const event = join(dir, 'event.json')
    await writeFile(
      event,
      JSON.stringify({
        event: 'challenge.completed',
        timestamp: '2026-01-02T03:04:05Z',
        data: { user: { id: 'u' }, challenge: { id: 'c', name: '<b>Bold</b>' } },
      }),
    )
    await run(['preview', 'challenge-completed', '--event', event, '--out', join(dir, 'c.html')])
    expect(await readFile(join(dir, 'c.html'), 'utf8')).toContain('&lt;b&gt;Bold&lt;/b&gt;')
  })

  it('explains itself, and refuses an unknown template', async () => {
    expect((await run(['--help'])).stdout).toContain('preview <template>')
    await expect(run(['preview', 'nope', '--out', '/tmp/x.html'])).rejects.toMatchObject({ code: 64 })
  })
})
