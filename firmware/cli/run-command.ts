// `passgate run`: starts the daemon and keeps it until SIGTERM or SIGINT, which turn every output
// off and exit cleanly. Logs are JSON lines on stdout (journald); the terminal display, if
// configured, draws on stderr.

import type { CryptoSuite } from '../../portal-client/crypto/suite.js';
import { systemClock } from '../core/clock.js';
import { isPassgateError } from '../core/errors.js';
import { createJsonLogger, type Logger } from '../core/log.js';
import { Daemon } from '../daemon/daemon.js';
import { type CommandUsage, readCommandArgs } from './args.js';
import { EXIT } from './exit-codes.js';
import type { CommandOutput } from './io.js';

const USAGE: CommandUsage = {
  lines: ['usage: passgate run   (the gate daemon; stops on SIGTERM or SIGINT)'],
  exits: ['ok', 'crashed'],
};

export async function runDaemonCommand(
  dataDir: string,
  args: readonly string[],
  crypto: CryptoSuite,
  out: CommandOutput,
): Promise<number> {
  const read = readCommandArgs(args, {}, USAGE, out);
  if (read.exit !== undefined) return read.exit;
  const logger = createJsonLogger((line) => process.stdout.write(line));
  // Listen before starting: a SIGTERM during start-up must still end with every output off.
  const stopRequested = new Promise<number>((resolve) => {
    process.once('SIGTERM', () => resolve(EXIT.ok));
    process.once('SIGINT', () => resolve(EXIT.ok));
    // A crash report that Node would print could quote whatever an error message held; this one
    // names the error's class and code only (standard 8.1.2: nothing personal in a crash dump).
    const crashed = (error: unknown) => {
      logCrash(logger, error);
      resolve(EXIT.crashed);
    };
    process.once('uncaughtException', crashed);
    process.once('unhandledRejection', crashed);
  });
  const daemon = await Daemon.start({ dataDir, crypto, logger, clock: systemClock, displayStream: process.stderr });
  const code = await stopRequested;
  await daemon.stop();
  return code;
}

function logCrash(logger: Logger, error: unknown): void {
  const name = error instanceof Error ? error.name : typeof error;
  const code = isPassgateError(error) ? error.code : String((error as { code?: unknown } | null)?.code ?? '');
  logger.log('error', 'crashed', { error: name, code: code || null });
}
