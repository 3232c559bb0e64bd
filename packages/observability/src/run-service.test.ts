import { afterEach, describe, expect, it, vi } from 'vitest'
import { runService, type ServiceShell } from './run-service.ts'

type Config = { LOG_LEVEL: string; shutdownTimeoutMs: number }
type Running = { close: () => Promise<void> }

// process.exit stops the test instead of the worker; what was written is kept.
class Exited extends Error {
  readonly exitCode: number | undefined

  constructor(exitCode: number | undefined) {
    super(`exit ${exitCode}`)
    this.exitCode = exitCode
  }
}

function shell(overrides: Partial<ServiceShell<Config, Running>>, logLines: string[] = []): ServiceShell<Config, Running> {
  return {
    name: 'demo',
    version: '1.2.3',
    summary: 'does one thing well.',
    configHelp: 'DEMO_PORT = 8080\n    the port',
    loadConfig: () => ({ LOG_LEVEL: 'info', shutdownTimeoutMs: 1000 }),
    start: async () => await Promise.reject(new Error('start was not expected')),
    hint: 'is the database reachable?',
    stopping: 'close everything',
    argv: ['node', 'main.ts'],
    destination: { write: (line: string) => void logLines.push(line) },
    ...overrides,
  }
}

const configError = (message: string): Error => Object.assign(new Error(message), { code: 'CONFIG_INVALID' })

function capture(): { stdout: string[]; stderr: string[] } {
  const written = { stdout: [] as string[], stderr: [] as string[] }
  vi.spyOn(process, 'exit').mockImplementation((code) => {
    throw new Exited(code === undefined || code === null ? undefined : Number(code))
  })
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => written.stdout.push(String(chunk)) > 0)
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => written.stderr.push(String(chunk)) > 0)
  return written
}

afterEach(() => {
  vi.restoreAllMocks()
})

describe('runService', () => {
  it('--help prints the summary and every setting, then exits 0 without loading the configuration', async () => {
    const written = capture()
    const loadConfig = vi.fn(() => ({ LOG_LEVEL: 'info', shutdownTimeoutMs: 1000 }))
    await expect(runService(shell({ argv: ['node', 'main.ts', '--help'], loadConfig }))).rejects.toMatchObject({ exitCode: 0 })
    expect(written.stdout.join('')).toBe(
      'demo: does one thing well.\nConfiguration (environment variables, with defaults):\n\nDEMO_PORT = 8080\n    the port\n',
    )
    expect(loadConfig).not.toHaveBeenCalled()
  })

  it('a configuration problem goes to stderr and exits 78 before anything starts', async () => {
    const written = capture()
    const start = vi.fn(async () => ({ close: async () => undefined }))
    const loadConfig = (): Config => {
      throw configError('invalid configuration:\n  DEMO_PORT: must be a number')
    }
    await expect(runService(shell({ loadConfig, start }))).rejects.toMatchObject({ exitCode: 78 })
    expect(written.stderr.join('')).toBe('demo: invalid configuration:\n  DEMO_PORT: must be a number\n')
    expect(start).not.toHaveBeenCalled()
  })

  it('a setting refused while starting (by the running cluster) exits 78 too', async () => {
    const written = capture()
    const start = async (): Promise<Running> => await Promise.reject(configError('invalid configuration:\n  max.message.bytes'))
    await expect(runService(shell({ start }))).rejects.toMatchObject({ exitCode: 78 })
    expect(written.stderr.join('')).toBe('demo: invalid configuration:\n  max.message.bytes\n')
  })

  it('a start that fails otherwise is logged with the hint, and exits 1', async () => {
    capture()
    const lines: string[] = []
    const start = async (): Promise<Running> => await Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:5432'))
    await expect(runService(shell({ start }, lines))).rejects.toMatchObject({ exitCode: 1 })
    expect(lines.map((line) => JSON.parse(line) as Record<string, unknown>)).toEqual([
      expect.objectContaining({
        level: 'fatal',
        service: 'demo',
        version: '1.2.3',
        msg: 'could not start (is the database reachable?)',
        err: expect.objectContaining({ message: 'connect ECONNREFUSED 127.0.0.1:5432' }) as unknown,
      }),
    ])
  })

  it('an error that is not a configuration problem escapes the configuration step', async () => {
    capture()
    const loadConfig = (): Config => {
      throw new TypeError('a bug')
    }
    await expect(runService(shell({ loadConfig }))).rejects.toThrow(TypeError)
  })
})
