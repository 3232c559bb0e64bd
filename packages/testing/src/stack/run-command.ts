import { spawn } from 'node:child_process'

/** `env` adds to (and overrides) the variables this process was given. */
export type RunOptions = { cwd?: string; env?: Record<string, string> }

/**
 * Runs a command to completion and resolves with its output. On failure the error
 * carries the command line and the last lines it printed, which is what a user needs.
 */
export async function runCommand(file: string, args: string[], options: RunOptions = {}): Promise<string> {
  return await new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.on('error', (err) => reject(new Error(`could not run ${file}: ${err.message}`, { cause: err })))
    child.on('close', (code) => {
      if (code === 0) return resolve(output)
      const tail = output.trim().split('\n').slice(-15).join('\n')
      reject(new Error(`${file} ${args.join(' ')} exited with ${code}:\n${tail}`))
    })
  })
}

/** Whether an executable is on PATH (or at the given path). */
export async function hasCommand(file: string, versionFlag = '--version'): Promise<boolean> {
  try {
    await runCommand(file, [versionFlag])
    return true
  } catch {
    return false
  }
}
