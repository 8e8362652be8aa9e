// `passgate run`: starts the daemon and keeps it until SIGTERM or SIGINT, which turn every output
// off and exit cleanly. Logs are JSON lines on stdout (journald); the terminal display, if
// configured, draws on stderr.
import { Daemon } from '../daemon.js';
import { createJsonLogger } from '../log.js';
import type { CryptoSuite } from '../../portal-client/crypto/suite.js';
import { systemClock } from '../../ui-led/clock.js';
import { EXIT } from './failures.js';

export async function runDaemonCommand(dataDir: string, crypto: CryptoSuite): Promise<number> {
  const logger = createJsonLogger((line) => process.stdout.write(line));
  // Listen before starting: a SIGTERM during start-up must still end with every output off.
  const stopRequested = new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  const daemon = await Daemon.start({ dataDir, crypto, logger, clock: systemClock, displayStream: process.stderr });
  await stopRequested;
  await daemon.stop();
  return EXIT.ok;
}
