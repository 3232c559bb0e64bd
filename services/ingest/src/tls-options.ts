import { readFileSync, unwatchFile, watchFile } from 'node:fs'
import type { SecureContextOptions } from 'node:tls'

// TLS 1.2 suites with forward secrecy and AEAD only; TLS 1.3's suites are all modern.
const ciphers = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
].join(':')

export type TlsFiles = { certFile: string; keyFile: string }

/** The certificate and key as read now, with the protocol floor and cipher list. */
export function readTlsOptions({ certFile, keyFile }: TlsFiles): SecureContextOptions & { minVersion: 'TLSv1.2' } {
  return { cert: readFileSync(certFile), key: readFileSync(keyFile), minVersion: 'TLSv1.2', ciphers, honorCipherOrder: true }
}

/**
 * Calls `reload` with fresh options whenever either file changes (polled, which also sees
 * the symlink swaps of mounted Kubernetes secrets). Answers a function that stops watching.
 */
export function watchTlsFiles(
  files: TlsFiles,
  reload: (options: SecureContextOptions) => void,
  onError: (err: Error) => void,
  intervalMs = 2000,
): () => void {
  const changed = (): void => {
    try {
      reload(readTlsOptions(files))
    } catch (err) {
      // A half-written pair keeps the old certificate until the next change completes it.
      onError(err as Error)
    }
  }
  watchFile(files.certFile, { interval: intervalMs }, changed)
  watchFile(files.keyFile, { interval: intervalMs }, changed)
  return () => {
    unwatchFile(files.certFile, changed)
    unwatchFile(files.keyFile, changed)
  }
}
