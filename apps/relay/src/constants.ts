/** The HTTP(S) port of the web server. The WebSocket listener takes port + 1, TCP port + 2. */
export const DEFAULT_PORT = 8_080
/** Listen on every interface, so phones on the LAN can reach the relay. */
export const DEFAULT_HOST = '0.0.0.0'
/** Under the user's home directory: the identity key and the generated certificate. */
export const DEFAULT_DATA_DIR_NAME = '.mesh-relay'
/** A classroom has more than libp2p's default of 15 phones. */
export const DEFAULT_MAX_RESERVATIONS = 256

/** Offsets of the libp2p listeners from the HTTP port. */
export const WS_PORT_OFFSET = 1
export const TCP_PORT_OFFSET = 2
export const MAX_PORT = 65_535

/** File names of the certificate kept in the data directory with `tls: true`. */
export const CERT_FILE = 'cert.pem'
export const KEY_FILE = 'key.pem'
/** Validity of a generated self-signed certificate; an expired one is replaced at start. */
export const CERT_VALIDITY_DAYS = 365

/** Longer request targets are refused with 414: nothing we serve needs them. */
export const MAX_URL_BYTES = 2_048
/** A client has this long to send the request headers (slowloris). */
export const DEFAULT_HEADERS_TIMEOUT_MS = 10_000
/** A client has this long to send a whole request. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000
/** Idle keep-alive connections are closed after this. */
export const DEFAULT_KEEP_ALIVE_TIMEOUT_MS = 5_000
/** How often Node checks the two timeouts above (its default of 30 s makes them lax). */
export const TIMEOUT_CHECK_INTERVAL_MS = 1_000
/** After answering a request whose body we did not read: how long to keep discarding input. */
export const LINGER_MS = 2_000
/** ...or until this much more has arrived: a client that keeps sending after our FIN is not listening. */
export const LINGER_MAX_BYTES = 4 * 1_048_576
/** How long close() lets in-flight responses finish before cutting connections. */
export const CLOSE_GRACE_MS = 2_000

/** Hashed build output (Vite's `assets/`) never changes under the same name. */
export const IMMUTABLE_CACHE_CONTROL = 'public, max-age=31536000, immutable'
