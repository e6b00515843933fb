/**
 * One class per failure, `name` equal to the class name (js-libp2p style). Errors that
 * cross the network carry a `code` from `ErrorCode` and are rebuilt on the other side.
 */
export const ErrorCode = {
  NO_CAPABLE_PEER: 'NO_CAPABLE_PEER',
  TIMEOUT: 'TIMEOUT',
  PEER_LOST: 'PEER_LOST',
  REMOTE_ERROR: 'REMOTE_ERROR',
  REFUSED: 'REFUSED',
  TOO_LARGE: 'TOO_LARGE',
  BAD_MESSAGE: 'BAD_MESSAGE',
  CANCELLED: 'CANCELLED',
  STOPPED: 'STOPPED'
} as const
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode]

export class MeshError extends Error {
  override name = 'MeshError'
  readonly code: ErrorCode
  constructor(code: ErrorCode, message: string, options?: ErrorOptions) {
    super(message, options)
    this.code = code
  }
}

export class NoCapablePeerError extends MeshError {
  override name = 'NoCapablePeerError'
  constructor(message = 'no capable peer') {
    super(ErrorCode.NO_CAPABLE_PEER, message)
  }
}

export class TimeoutError extends MeshError {
  override name = 'TimeoutError'
  constructor(message = 'timed out') {
    super(ErrorCode.TIMEOUT, message)
  }
}

export class PeerLostError extends MeshError {
  override name = 'PeerLostError'
  constructor(message = 'peer lost') {
    super(ErrorCode.PEER_LOST, message)
  }
}

/** The remote handler threw. `remoteName` and the message are the remote error's. */
export class RemoteError extends MeshError {
  override name = 'RemoteError'
  readonly remoteName: string
  constructor(message: string, remoteName: string) {
    super(ErrorCode.REMOTE_ERROR, message)
    this.remoteName = remoteName
  }
}

export class RefusedError extends MeshError {
  override name = 'RefusedError'
  constructor(message = 'refused') {
    super(ErrorCode.REFUSED, message)
  }
}

export class TooLargeError extends MeshError {
  override name = 'TooLargeError'
  constructor(message = 'message too large') {
    super(ErrorCode.TOO_LARGE, message)
  }
}

export class BadMessageError extends MeshError {
  override name = 'BadMessageError'
  constructor(message = 'bad message') {
    super(ErrorCode.BAD_MESSAGE, message)
  }
}

export class CancelledError extends MeshError {
  override name = 'CancelledError'
  constructor(message = 'cancelled') {
    super(ErrorCode.CANCELLED, message)
  }
}

export class StoppedError extends MeshError {
  override name = 'StoppedError'
  constructor(message = 'the mesh is stopped') {
    super(ErrorCode.STOPPED, message)
  }
}

/** A bootstrap entry that is neither a dialable multiaddr with /p2p/ nor a URL. */
export class InvalidBootstrapAddressError extends Error {
  override name = 'InvalidBootstrapAddressError'
  readonly address: string
  constructor(address: string, reason: string) {
    super(`invalid bootstrap address "${address}": ${reason}`)
    this.address = address
  }
}

/** Options that cannot work together or hold impossible values. */
export class InvalidOptionsError extends Error {
  override name = 'InvalidOptionsError'
}

/** A capability set that breaks the record bounds. */
export class InvalidCapabilitiesError extends Error {
  override name = 'InvalidCapabilitiesError'
}

/** Serialised form of an error that crosses the wire. */
export interface WireError {
  code: ErrorCode
  message: string
  name: string
}

const codes = new Set<string>(Object.values(ErrorCode))

export function isErrorCode(v: unknown): v is ErrorCode {
  return typeof v === 'string' && codes.has(v)
}

/** Rebuild a typed error from its wire form. */
export function errorFromWire(e: WireError): MeshError {
  switch (e.code) {
    case 'NO_CAPABLE_PEER':
      return new NoCapablePeerError(e.message)
    case 'TIMEOUT':
      return new TimeoutError(e.message)
    case 'PEER_LOST':
      return new PeerLostError(e.message)
    case 'REMOTE_ERROR':
      return new RemoteError(e.message, e.name)
    case 'REFUSED':
      return new RefusedError(e.message)
    case 'TOO_LARGE':
      return new TooLargeError(e.message)
    case 'BAD_MESSAGE':
      return new BadMessageError(e.message)
    case 'CANCELLED':
      return new CancelledError(e.message)
    case 'STOPPED':
      return new StoppedError(e.message)
  }
}

/** The wire form of anything a handler threw. */
export function errorToWire(err: unknown): WireError {
  if (err instanceof MeshError) {
    return {
      code: err.code,
      message: err.message,
      name: err instanceof RemoteError ? err.remoteName : err.name
    }
  }
  if (err instanceof Error) return { code: ErrorCode.REMOTE_ERROR, message: err.message, name: err.name }
  return { code: ErrorCode.REMOTE_ERROR, message: String(err), name: 'Error' }
}
