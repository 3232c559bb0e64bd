// Ingest serving TLS itself: TLS 1.2+ only, HSTS, and a certificate swapped on disk is
// picked up without a restart.
import { execFileSync } from 'node:child_process'
import { mkdtemp } from 'node:fs/promises'
import { request } from 'node:https'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { connect } from 'node:tls'
import { readFileSync } from 'node:fs'
import { waitFor } from '@nudj-webhooks/testing'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { startTestIngest, type TestIngest } from './start-test-ingest.ts'

const infra = inject('infra')
let dir: string
let ingest: TestIngest

function makeCertificate(name: string): void {
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-days',
      '1',
      '-subj',
      `/CN=${name}`,
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
    ],
    { stdio: 'ignore' },
  )
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ingest-tls-'))
  makeCertificate('first')
  ingest = await startTestIngest(infra, {
    INGEST_ALLOW_PLAIN_HTTP: 'false',
    INGEST_TLS_CERT_FILE: join(dir, 'cert.pem'),
    INGEST_TLS_KEY_FILE: join(dir, 'key.pem'),
  })
})
afterAll(async () => {
  await ingest.close()
})

const port = (): number => Number(new URL(ingest.address).port)

/** The certificate subject the server presents now, and the protocol negotiated. */
async function handshake(
  options: { maxVersion?: 'TLSv1.1' | 'TLSv1.3'; minVersion?: 'TLSv1' } = {},
): Promise<{ subject: string; protocol: string }> {
  return await new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port: port(), rejectUnauthorized: false, ...options }, () => {
      resolve({ subject: socket.getPeerCertificate().subject.CN as string, protocol: socket.getProtocol() ?? '' })
      socket.end()
    })
    socket.on('error', reject)
  })
}

describe('ingest over TLS', () => {
  it('serves TLS 1.2+ with HSTS and refuses TLS 1.1', async () => {
    expect((await handshake()).protocol).toBe('TLSv1.3')
    await expect(handshake({ maxVersion: 'TLSv1.1', minVersion: 'TLSv1' })).rejects.toThrow()

    const headers = await new Promise<Record<string, unknown>>((resolve, reject) => {
      const req = request(
        `https://localhost:${port()}/webhooks/nudj/acme`,
        { method: 'GET', ca: readFileSync(join(dir, 'cert.pem')) },
        (res) => {
          res.resume()
          resolve(res.headers)
        },
      )
      req.on('error', reject)
      req.end()
    })
    expect(headers['strict-transport-security']).toMatch(/max-age=\d+/)
  })

  it('picks up a renewed certificate without a restart', async () => {
    expect((await handshake()).subject).toBe('first')
    makeCertificate('renewed')
    await waitFor(async () => (await handshake()).subject === 'renewed', {
      timeoutMs: 15_000,
      intervalMs: 250,
      message: 'the renewed certificate was not served within 15 s',
    })
  })
})
