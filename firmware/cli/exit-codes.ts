// The exit codes of every `passgate` command, in one table: scripts and the vendor's flashing
// station branch on them, so a number keeps its meaning across commands and releases. Which
// error code leads to which exit code is decided in failures.ts.
export const EXIT = {
  /** Done as asked. */
  ok: 0,
  /** Anything not listed below: a selftest check failed, the device key file is unusable. */
  failed: 1,
  /** The command line is wrong: unknown command or option, missing argument or option value. */
  usage: 2,
  /** A value breaks its rule (config.invalid-value): `config set`, a provision option. */
  invalidValue: 3,
  /** A config key that does not exist (config.unknown-key). */
  unknownKey: 4,
  /** The config database could not be opened, read or written (config.storage). */
  storage: 5,
  /** `decode`: an image was read but held no code (decode.no-symbol). */
  noSymbol: 6,
  /** `decode`: a file could not be read as an image (decode.image-unreadable, wins over 6). */
  imageUnreadable: 7,
  notProvisioned: 10,
  portalUnreachable: 11,
  venueUnknown: 12,
  alreadyBound: 13,
  deviceNotRegistered: 14,
  vendorSuspended: 15,
  authFailed: 16,
  notBound: 17,
  /** No venue code was scanned in time during `bind --scan` (or the bind was cancelled). */
  bindTimeout: 18,
  daemonNotRunning: 19,
  alreadyProvisioned: 20,
  /** The portal refused the request for a reason without a code of its own above. */
  portalRejected: 21,
  /** `run` crashed (sysexits EX_SOFTWARE): the service manager restarts the daemon. */
  crashed: 70,
} as const;

export type ExitName = keyof typeof EXIT;

/** "0 ok, 2 usage, …" for a command's usage text, so the text follows the table. */
export function exitCodeSummary(names: readonly ExitName[]): string {
  return names.map((name) => `${EXIT[name]} ${name.replace(/[A-Z]/g, (c) => ` ${c.toLowerCase()}`)}`).join(', ');
}
