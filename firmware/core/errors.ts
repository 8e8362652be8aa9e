// One error class for the whole runtime. Callers branch on `code`, never on `message`.
// Codes are grouped by area: the prefix before the first dot names the area.
// Messages and details must never contain a pass code, name or ID number (standard 8.1.2).

export const ERROR_CODES = {
  portal: [
    'portal.timeout', // no answer within the deadline
    'portal.unreachable', // connection refused, reset or DNS failure
    'portal.bad-response', // malformed, wrong shape, or a masking rule broken
    'portal.auth-failed', // response failed HMAC/decryption, or token/signature rejected
    'portal.rejected', // the portal answered with an error code (see details.portalCode)
    'portal.not-bound', // verification refused until the device is bound
    'portal.already-bound', // bind on a bound device: use rebind
    'portal.venue-unknown',
    'portal.device-unknown', // the device's public key is not registered
    'portal.vendor-suspended',
    'portal.insecure-url', // http:// without the explicit dev flag
  ],
  crypto: ['crypto.bad-key', 'crypto.bad-ciphertext', 'crypto.bad-signature'],
  protocol: [
    'protocol.malformed', // bytes or JSON that do not parse as the protocol says
    'protocol.unauthenticated', // an envelope whose MAC does not verify
  ],
  config: [
    'config.unknown-key',
    'config.invalid-value',
    'config.not-provisioned',
    'config.already-provisioned',
    'config.storage', // the database could not be opened or written
    'config.untrusted-path', // the data directory, database or key is owned or writable by someone else
    'config.newer-schema', // the database was written by a newer passgate
    'config.permission-denied', // this user may not read or write the data directory or database
    'config.no-database', // a read-only command found no data directory or database (it creates none)
  ],
  driver: [
    'driver.open-failed',
    'driver.disconnected',
    'driver.timeout',
    'driver.frame-invalid', // framing, checksum or length error on the wire
    'driver.card-status', // the card reader answered with a non-OK SW3
    'driver.card-invalid', // text block unreadable or check digit wrong
    'driver.command-forbidden', // a command the runtime must never send (ID-card fingerprint read)
    'driver.overlong', // input longer than the configured maximum
    'driver.encoding', // bytes that are not valid UTF-8
  ],
  decode: [
    'decode.no-symbol',
    'decode.image-unreadable',
    'decode.file-missing', // no file at the path given (a typo), told apart from one that cannot be read
    'decode.unsupported',
    'decode.worker-failed', // the camera's decode worker thread crashed or could not load its decoders
  ],
  gate: [
    'gate.busy',
    'gate.invalid-transition',
    'gate.bind-timeout', // no venue code was scanned while in bind mode
    'gate.bind-cancelled', // a newer bind request or the CLI cancelled it
  ],
  display: ['display.backend-failed'],
  // A command line that does not fit the command (exit 2); reported like any other error, so
  // `--json` prints them the same way.
  usage: [
    'usage.unknown-command',
    'usage.unknown-option',
    'usage.missing-value', // an option given without its value
    'usage.missing-argument', // no command, subcommand, file or required option
    'usage.extra-argument',
    'usage.invalid-argument', // an argument of the wrong form, or options that do not go together
    'usage.owned-key', // config set/reset of a key that provision or bind owns
  ],
  selftest: ['selftest.failed'], // at least one selftest check failed
  // `passgate-mock` failures (its exit code 3).
  mock: [
    'mock.not-running', // a command that needs a running mock found none
    'mock.already-running', // serve for a directory another serve holds
    'mock.listen-failed', // serve could not take its port
    'mock.refused', // the mock (or its registry) refused the change
    'mock.not-found', // no such venue or resident in the mock's dataset
    'mock.unreadable', // a file of the mock's directory could not be read
    'mock.zint-failed', // zint missing, failed or too slow
    'mock.unexpected', // anything else; only the error's kind is reported
  ],
  update: [
    'update.no-release-key', // the device holds no vendor release key (provision --vendor-release-key)
    'update.unsigned', // the artifact has no detached signature beside it
    'update.bad-signature', // the signature does not verify: a changed byte, or another key
    'update.downgrade', // the artifact's version is not newer than the active one
    'update.bad-artifact', // not an update artifact: its name, tar, manifest or tree is wrong
    'update.install-failed', // the slots, the current link or the state file could not be written
    'update.nothing-pending', // commit or rollback with no update waiting for either
    'update.rolled-back', // the new version did not become healthy in time: the old one is back
    'update.release-key-exists', // release keygen would overwrite a key file
    'update.busy', // another update command holds the install root's update lock
  ],
  daemon: [
    'daemon.not-running', // a command that needs the running daemon found none on the control socket
    'daemon.already-running', // another daemon holds this data directory's instance lock
    'daemon.socket-path-too-long', // the control socket's path does not fit a unix socket address
    'daemon.control-socket', // the control socket could not be created
  ],
} as const;

type Areas = typeof ERROR_CODES;
export type ErrorArea = keyof Areas;
export type ErrorCode = Areas[ErrorArea][number];

/** Details are for operators: counts, lengths, portal codes, HTTP status. Never personal data. */
export type ErrorDetails = Record<string, string | number | boolean | undefined>;

export class PassgateError extends Error {
  readonly code: ErrorCode;
  readonly details: ErrorDetails;

  constructor(code: ErrorCode, message: string, details: ErrorDetails = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PassgateError';
    this.code = code;
    this.details = details;
  }

  get area(): ErrorArea {
    return this.code.slice(0, this.code.indexOf('.')) as ErrorArea;
  }
}

export function isPassgateError(value: unknown, code?: ErrorCode): value is PassgateError {
  return value instanceof PassgateError && (code === undefined || value.code === code);
}
