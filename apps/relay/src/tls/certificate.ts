import { X509Certificate, createPrivateKey } from 'node:crypto'
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { generate } from 'selfsigned'
import { CERT_FILE, CERT_VALIDITY_DAYS, KEY_FILE } from '../constants.js'
import { CertificateError } from '../errors.js'
import type { RelayLogger } from '../log.js'
import { errorMessage } from '../log.js'

/** A certificate and its private key, PEM-encoded. */
export interface PemPair {
  cert: string
  key: string
}

const DAY_MS = 86_400_000

/** Reads a certificate and key given by the user; they must parse and belong together. */
export async function readCertificateFiles(certPath: string, keyPath: string): Promise<PemPair> {
  let pair: PemPair
  try {
    pair = { cert: await readFile(certPath, 'utf8'), key: await readFile(keyPath, 'utf8') }
  } catch (err) {
    throw new CertificateError(`cannot read the certificate or key: ${errorMessage(err)}`, { cause: err })
  }
  checkPair(pair)
  return pair
}

/**
 * The self-signed certificate kept in `dataDir`, generated on first use. It is reused
 * while it parses and has not expired, so a phone that accepted it once is not asked
 * again after a restart.
 */
export async function loadOrCreateCertificate(
  dataDir: string,
  hosts: { dns: readonly string[]; ips: readonly string[] },
  log: RelayLogger
): Promise<PemPair> {
  const certPath = join(dataDir, CERT_FILE)
  const keyPath = join(dataDir, KEY_FILE)
  const existing = await readExisting(certPath, keyPath, log)
  if (existing !== undefined) {
    const x509 = new X509Certificate(existing.cert)
    const missing = hosts.ips.filter((ip) => x509.checkIP(ip) === undefined)
    if (missing.length > 0) {
      log({
        level: 'warn',
        event: 'tls:certificate-stale',
        message: `${certPath} does not cover ${missing.join(', ')}; delete it and its key to generate a new one`,
        fields: { missing }
      })
    }
    return existing
  }

  const pair = await generateCertificate(hosts)
  await mkdir(dataDir, { recursive: true })
  await writeAtomically(keyPath, pair.key, 0o600)
  await writeAtomically(certPath, pair.cert, 0o644)
  log({
    level: 'info',
    event: 'tls:certificate-created',
    message: `generated a self-signed certificate in ${certPath}`,
    fields: { certPath, names: [...hosts.dns, ...hosts.ips] }
  })
  return pair
}

async function readExisting(
  certPath: string,
  keyPath: string,
  log: RelayLogger
): Promise<PemPair | undefined> {
  let pair: PemPair
  try {
    pair = { cert: await readFile(certPath, 'utf8'), key: await readFile(keyPath, 'utf8') }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw new CertificateError(`cannot read ${certPath}: ${errorMessage(err)}`, { cause: err })
  }
  try {
    checkPair(pair)
  } catch (err) {
    log({
      level: 'warn',
      event: 'tls:certificate-replaced',
      message: `${errorMessage(err)}; generating a new one`
    })
    return undefined
  }
  if (Date.parse(new X509Certificate(pair.cert).validTo) <= Date.now() + DAY_MS) {
    log({
      level: 'info',
      event: 'tls:certificate-replaced',
      message: `${certPath} expires; generating a new one`
    })
    return undefined
  }
  return pair
}

function checkPair(pair: PemPair): void {
  let x509: X509Certificate
  try {
    x509 = new X509Certificate(pair.cert)
  } catch (err) {
    throw new CertificateError(`the certificate does not parse: ${errorMessage(err)}`, { cause: err })
  }
  let matches: boolean
  try {
    matches = x509.checkPrivateKey(createPrivateKey(pair.key))
  } catch (err) {
    throw new CertificateError(`the private key does not parse: ${errorMessage(err)}`, { cause: err })
  }
  if (!matches) throw new CertificateError('the private key does not belong to the certificate')
}

async function generateCertificate(hosts: {
  dns: readonly string[]
  ips: readonly string[]
}): Promise<PemPair> {
  // A day of slack for phones whose clocks run behind.
  const notBeforeDate = new Date(Date.now() - DAY_MS)
  const notAfterDate = new Date(Date.now() + CERT_VALIDITY_DAYS * DAY_MS)
  try {
    const pems = await generate([{ name: 'commonName', value: 'mesh-relay' }], {
      keyType: 'ec',
      curve: 'P-256',
      algorithm: 'sha256',
      notBeforeDate,
      notAfterDate,
      extensions: [
        { name: 'basicConstraints', cA: false },
        { name: 'keyUsage', digitalSignature: true, critical: true },
        { name: 'extKeyUsage', serverAuth: true },
        {
          name: 'subjectAltName',
          altNames: [
            ...hosts.dns.map((value) => ({ type: 2 as const, value })),
            ...hosts.ips.map((ip) => ({ type: 7 as const, ip }))
          ]
        }
      ]
    })
    return { cert: pems.cert, key: pems.private }
  } catch (err) {
    throw new CertificateError(`cannot generate a certificate: ${errorMessage(err)}`, { cause: err })
  }
}

/** Write then rename, so a crash never leaves half a key behind. */
async function writeAtomically(path: string, text: string, mode: number): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`
  await writeFile(temporary, text, { mode })
  await rename(temporary, path)
}
