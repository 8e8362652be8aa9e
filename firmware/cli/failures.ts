// Every failure a technician can meet at the CLI: a distinct exit code and a message in Chinese
// and English (firmware/core/error-messages.ts). With --json a failure prints as one JSON object
// on stdout, `{"error":{"code","message":{"zh","en"}}}`, and nothing on stderr, so a script
// reads one stream and the exit code.
import { errorMessage, errorObject, type Message } from '../core/error-messages.js';
import type { ErrorCode, PassgateError } from '../core/errors.js';
import { EXIT } from './exit-codes.js';
import type { CommandOutput } from './io.js';

export type { Message };
export { errorObject };

export interface Failure extends Message {
  exit: number;
}

/** The exit code of each error code; any other exits 1 (failed). */
const EXITS: Partial<Record<ErrorCode, number>> = {
  'config.not-provisioned': EXIT.notProvisioned,
  'config.already-provisioned': EXIT.alreadyProvisioned,
  'portal.unreachable': EXIT.portalUnreachable,
  'portal.timeout': EXIT.portalUnreachable,
  'portal.venue-unknown': EXIT.venueUnknown,
  'portal.already-bound': EXIT.alreadyBound,
  'portal.device-unknown': EXIT.deviceNotRegistered,
  'portal.vendor-suspended': EXIT.vendorSuspended,
  'portal.auth-failed': EXIT.authFailed,
  'portal.not-bound': EXIT.notBound,
  'portal.insecure-url': EXIT.usage,
  'portal.bad-response': EXIT.portalRejected,
  'portal.rejected': EXIT.portalRejected,
  'config.invalid-value': EXIT.invalidValue,
  'config.unknown-key': EXIT.unknownKey,
  'config.storage': EXIT.storage,
  'config.untrusted-path': EXIT.storage,
  'config.newer-schema': EXIT.storage,
  'config.permission-denied': EXIT.storage,
  'decode.no-symbol': EXIT.noSymbol,
  'decode.image-unreadable': EXIT.imageUnreadable,
  'gate.bind-timeout': EXIT.bindTimeout,
  'gate.bind-cancelled': EXIT.bindTimeout,
  'daemon.not-running': EXIT.daemonNotRunning,
  'usage.unknown-command': EXIT.usage,
  'usage.unknown-option': EXIT.usage,
  'usage.missing-value': EXIT.usage,
  'usage.missing-argument': EXIT.usage,
  'usage.extra-argument': EXIT.usage,
  'usage.invalid-argument': EXIT.usage,
  'usage.owned-key': EXIT.usage,
  'config.no-database': EXIT.notProvisioned,
  'decode.file-missing': EXIT.imageUnreadable,
  'update.no-release-key': EXIT.noReleaseKey,
  'update.unsigned': EXIT.unsigned,
  'update.bad-signature': EXIT.badSignature,
  'update.downgrade': EXIT.downgrade,
  'update.bad-artifact': EXIT.badArtifact,
  'update.install-failed': EXIT.installFailed,
  'update.nothing-pending': EXIT.nothingPending,
  'update.rolled-back': EXIT.rolledBack,
  'update.release-key-exists': EXIT.releaseKeyExists,
  'update.busy': EXIT.updateBusy,
};

export function failureFor(code: ErrorCode): Failure {
  // A code from a newer daemon (read off the control socket) may not be in the tables.
  const exit = EXITS[code] ?? (code.startsWith('portal.') ? EXIT.portalRejected : EXIT.failed);
  return { exit, ...errorMessage(code) };
}

/** The message of `code`, with `detail` (a path, a code; never personal data) appended. */
export function failureMessage(code: ErrorCode, detail?: string): Message {
  const f = failureFor(code);
  return detail ? { zh: `${f.zh}（${detail}）`, en: `${f.en} (${detail})` } : { zh: f.zh, en: f.en };
}

/**
 * 'portal.auth-failed' covers two different stories: the portal refused who we are (device key,
 * vendor credentials), or the portal's answer itself failed its check and was not trusted (a
 * forged or garbled MAC, a replayed timestamp, a TLS certificate not pinned). The second must not
 * read as bad credentials, or a technician re-provisions a device that is fine. A Map, not an
 * object: a plain object would also answer for inherited names such as "toString".
 */
const UNTRUSTED_ANSWER = new Map<string, Failure>(
  Object.entries({
    mac: {
      exit: EXIT.authFailed,
      zh: '门户平台的应答未通过认证（未予采信）：可能在途中被篡改，或门户公钥不符',
      en: "the portal's answer failed authentication (not trusted): tampered with on the way, or the wrong portal key",
    },
    timestamp: {
      exit: EXIT.authFailed,
      zh: '门户平台的应答时间超出允许范围（未予采信），请检查时钟',
      en: "the portal's answer is outside the replay window (not trusted): check the clock",
    },
    tls: {
      exit: EXIT.authFailed,
      zh: '门户平台的 TLS 证书不受信任，请检查 --ca-file 与门户地址',
      en: "the portal's TLS certificate is not trusted: check the pinned CA and the portal URL",
    },
  }),
);

/** The failure of `code`, told more exactly by what failed for a portal answer (`check`). */
export function failureForCheck(code: ErrorCode, check: string | null | undefined): Failure {
  return (code === 'portal.auth-failed' && check ? UNTRUSTED_ANSWER.get(check) : undefined) ?? failureFor(code);
}

/** Which check a portal answer failed ('mac', 'timestamp', 'tls'), from an error's details. */
export function responseCheckOf(error: PassgateError): string | null {
  if (error.details.tls === true) return 'tls';
  const check = error.details.check;
  return typeof check === 'string' && UNTRUSTED_ANSWER.has(check) ? check : null;
}

/** The two lines for the terminal: "错误: …" and "error: …". */
export function messageLines(message: Message): string[] {
  return [`错误: ${message.zh}`, `error: ${message.en}`];
}

/** The message of `code` (told more exactly by a portal answer's failed `check`), with `detail`. */
function checkedMessage(code: ErrorCode, detail?: string, check?: string | null): Message {
  const f = failureForCheck(code, check);
  return detail ? { zh: `${f.zh}（${detail}）`, en: `${f.en} (${detail})` } : { zh: f.zh, en: f.en };
}

/** The two terminal lines of `code`, with `detail` appended. */
export function failureLines(code: ErrorCode, detail?: string, check?: string | null): string[] {
  return messageLines(checkedMessage(code, detail, check));
}

/**
 * Reports a failure with its own message: two lines on stderr, or with --json one JSON object on
 * stdout. Returns `exit` (default: the code's exit code).
 */
export function reportMessage(
  out: CommandOutput,
  code: ErrorCode,
  message: Message,
  exit: number = failureFor(code).exit,
): number {
  if (out.json) out.stdout(JSON.stringify(errorObject(code, message)));
  else for (const line of messageLines(message)) out.stderr(line);
  return exit;
}

/** Reports `code` with its table message (and `detail`); returns its exit code. */
export function reportFailure(out: CommandOutput, code: ErrorCode, detail?: string): number {
  return reportMessage(out, code, failureMessage(code, detail));
}

/** reportFailure for a caught error: a portal answer that failed its check is named as such. */
export function reportError(out: CommandOutput, error: PassgateError, detail?: string): number {
  const check = responseCheckOf(error);
  return reportMessage(
    out,
    error.code,
    checkedMessage(error.code, detail, check),
    failureForCheck(error.code, check).exit,
  );
}
