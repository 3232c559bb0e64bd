import { execFile } from 'node:child_process'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'

/** A throwaway certificate for 127.0.0.1 (openssl) for a Mailpit that offers STARTTLS. */
export async function selfSignedCert(): Promise<{ certFile: string; keyFile: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'email-tls-'))
  const [certFile, keyFile] = [join(dir, 'cert.pem'), join(dir, 'key.pem')]
  const args = ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1']
  await promisify(execFile)('openssl', [...args, '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', keyFile, '-out', certFile], {
    timeout: 30_000,
  })
  return { certFile, keyFile }
}
