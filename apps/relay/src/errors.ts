/**
 * One class per failure, `name` equal to the class name (js-libp2p style), so callers
 * and tests check `err.name` rather than message text.
 */

/** A `RelayInit` field (or CLI flag) holds an impossible value or a bad combination. */
export class InvalidOptionError extends Error {
  override name = 'InvalidOptionError'
  /** The offending option, as named in `RelayInit`. */
  readonly option: string
  constructor(option: string, message: string) {
    super(`${option}: ${message}`)
    this.option = option
  }
}

/** The certificate or key could not be read, generated or parsed. */
export class CertificateError extends Error {
  override name = 'CertificateError'
}
