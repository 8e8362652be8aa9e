// Every failure a technician can meet at the CLI: a distinct exit code and a message in Chinese
// and English (firmware/core/error-messages.ts). With --json a failure prints as one JSON object
// on stdout, `{"error":{"code","message":{"zh","en"}}}`, and nothing on stderr, so a script
// reads one stream and the exit code.
import { errorMessage, errorObject, type Message } from '../core/error-messages.js';
import type { ErrorCode } from '../core/errors.js';
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

/** The two lines for the terminal: "错误: …" and "error: …". */
export function messageLines(message: Message): string[] {
  return [`错误: ${message.zh}`, `error: ${message.en}`];
}

/** failureLines of `code` with `detail` appended. */
export function failureLines(code: ErrorCode, detail?: string): string[] {
  return messageLines(failureMessage(code, detail));
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
