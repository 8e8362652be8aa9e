// `passgate run`: starts the daemon and keeps it until SIGTERM or SIGINT, which turn every output
// off and exit 0. Logs are JSON lines on stdout (journald); the terminal display, if configured,
// draws on stderr.
//
// A start that fails logs `start-failed` with its cause and exits 70; so does a crash later on
// (`crashed`), after every output is off. Either way the process ends by itself, and systemd
// restarts it (firmware/systemd/passgate.service).
//
// Under systemd (Type=notify) the daemon says READY=1 after its `ready` line, pings the watchdog
// and says STOPPING=1 on shutdown (firmware/daemon/service-notify.ts); its log lines then carry
// their syslog priority (firmware/core/log.ts).

import { fstatSync } from 'node:fs';
import type { CryptoSuite } from '../../portal-client/crypto/suite.js';
import { systemClock } from '../core/clock.js';
import { isPassgateError } from '../core/errors.js';
import { createJsonLogger, type LogFields, type Logger, stdoutIsJournal } from '../core/log.js';
import { DEFAULT_TIMEOUTS } from '../core/timeouts.js';
import { Daemon } from '../daemon/daemon.js';
import { type ServiceNotifier, serviceNotifierFromEnv } from '../daemon/service-notify.js';
import { type ArgSpec, readCommandArgs } from './args.js';
import { EXIT } from './exit-codes.js';
import type { CommandOutput } from './io.js';
import { RUN_USAGE } from './usages.js';

const USAGE = RUN_USAGE;

/** The options of run: none (the README's command table is checked against this). */
export const RUN_OPTIONS: ArgSpec = { positionals: 0 };

export interface RunDeps {
  /** Ends the process; only a run that cannot end by itself calls it (see daemonExitMs). */
  exit(code: number): void;
  /** $JOURNAL_STREAM, $NOTIFY_SOCKET, $WATCHDOG_USEC and $WATCHDOG_PID come from here. */
  env: NodeJS.ProcessEnv;
}

export async function runDaemonCommand(
  dataDir: string,
  args: readonly string[],
  crypto: CryptoSuite,
  out: CommandOutput,
  deps: RunDeps = { exit: (code) => process.exit(code), env: process.env },
): Promise<number> {
  const read = readCommandArgs(args, RUN_OPTIONS, USAGE, out);
  if (read.exit !== undefined) return read.exit;
  const priorityPrefix = stdoutIsJournal(deps.env.JOURNAL_STREAM, statOfStdout());
  const logger = createJsonLogger((line) => process.stdout.write(line), Date.now, { priorityPrefix });
  const notifier = serviceNotifierFromEnv(deps.env, {
    clock: systemClock,
    logger,
    timeoutMs: DEFAULT_TIMEOUTS.serviceNotifyMs,
    pid: process.pid,
  });
  // Listen before starting: a SIGTERM during start-up must still end with every output off.
  let stopWith: (code: number) => void = () => undefined;
  const stopRequested = new Promise<number>((resolve) => {
    stopWith = resolve;
  });
  const onSignal = () => stopWith(EXIT.ok);
  // A crash report that Node would print could quote whatever an error message held; this one
  // names the error's class and code, and a PassgateError's message (which by its rule holds no
  // personal data: standard 8.1.2).
  const onCrash = (error: unknown) => {
    logger.log('error', 'crashed', causeOf(error));
    stopWith(EXIT.crashed);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);
  const code = await serve(dataDir, crypto, logger, stopRequested, notifier);
  // From here on a signal or an error ends the process the default way.
  process.off('SIGTERM', onSignal);
  process.off('SIGINT', onSignal);
  process.off('uncaughtException', onCrash);
  process.off('unhandledRejection', onCrash);
  exitIfStuck(code, deps);
  return code;
}

/** The daemon from start to stop; the exit code. */
async function serve(
  dataDir: string,
  crypto: CryptoSuite,
  logger: Logger,
  stopRequested: Promise<number>,
  notifier: ServiceNotifier | null,
) {
  let daemon: Daemon;
  try {
    daemon = await Daemon.start({ dataDir, crypto, logger, clock: systemClock, displayStream: process.stderr });
  } catch (error) {
    // Daemon.start has closed whatever it had opened.
    logger.log('error', 'start-failed', causeOf(error));
    return EXIT.crashed;
  }
  notifier?.ready(); // after the `ready` line, which Daemon.start has logged
  const code = await stopRequested;
  const stopping = notifier?.stopping(); // told first, while the outputs are still being turned off
  await daemon.stop();
  await stopping;
  return code;
}

/** Device and inode of fd 1, to compare with $JOURNAL_STREAM; null when fd 1 is closed. */
function statOfStdout(): { dev: number; ino: number } | null {
  try {
    return fstatSync(1);
  } catch {
    return null;
  }
}

/**
 * The process ends once nothing is left to do. Should a handle keep it alive after all (a device
 * call that never returns), it is ended with its exit code, so the service manager sees the
 * failure and restarts it rather than keeping a daemon that no longer serves. Unref'd: it never
 * keeps the process alive itself.
 */
function exitIfStuck(code: number, deps: RunDeps): void {
  setTimeout(() => deps.exit(code), DEFAULT_TIMEOUTS.daemonExitMs).unref();
}

/** The cause for the log: the error code and, for a PassgateError, its message. */
function causeOf(error: unknown): LogFields {
  if (isPassgateError(error)) return { error: error.name, code: error.code, message: error.message };
  const name = error instanceof Error ? error.name : typeof error;
  // Node's own errors carry a code such as ERR_MODULE_NOT_FOUND or EACCES; their messages may
  // quote data, so they stay out.
  const code = (error as { code?: unknown } | null)?.code;
  return { error: name, code: typeof code === 'string' ? code : null };
}
