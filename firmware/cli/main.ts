// `passgate <command>`: the CLI for vendors (provision), technicians (bind, rebind, status,
// selftest, config, decode) and the service manager (run).

import { createGmCryptoSuite } from '../../portal-client/crypto/gm-suite.js';
import { resolveDataDir } from '../config/data-dir.js';
import { ConfigStore } from '../config/store.js';
import { isPassgateError } from '../core/errors.js';
import { passgateVersion } from '../core/version.js';
import { type CommandUsage, showUsage, splitCommand, usageError } from './args.js';
import { runBindCommand } from './bind-command.js';
import { runConfigCommand } from './config-command.js';
import { EXIT } from './exit-codes.js';
import { reportFailure } from './failures.js';
import { type CommandOutput, processOutput } from './io.js';
import { didYouMean, nearestName } from './nearest.js';
import { runProvisionCommand } from './provision-command.js';
import { runDaemonCommand } from './run-command.js';
import { runSelftestCommand } from './selftest-command.js';
import { runStatusCommand } from './status-command.js';

export const USAGE: CommandUsage = {
  lines: [
    'usage: passgate <command> [--data-dir DIR] [options]',
    '',
    '  provision   set identity, portal and vendor credentials; generate the device key (vendor)',
    '  bind        bind to a venue: `bind <venueCode>` or `bind --scan`',
    '  rebind      change the venue: `rebind <venueCode>` or `rebind --scan`',
    '  status      identity, binding, portal, daemon, drivers, counters [--json]',
    '  selftest    lights, buzzer, input devices, portal and clock [--json]',
    '  config      get|set|list|reset settings',
    '  decode      read QR / Grid Matrix codes from PNG, JPEG or PGM files [--json]',
    '  run         the gate daemon',
    '  version     print the version (also --version, -V)',
    '',
    'data directory: --data-dir, else $PASSGATE_DATA_DIR, else /var/lib/passgate',
  ],
};

/** Every command word, for "did you mean". */
const COMMANDS = ['provision', 'bind', 'rebind', 'status', 'selftest', 'config', 'decode', 'run', 'version', 'help'];

export async function main(
  argv: string[],
  out: CommandOutput = processOutput,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const { command, rest } = splitCommand(argv);
  if (command === 'version' || command === '-V' || (command === undefined && argv.includes('--version'))) {
    out.stdout(`passgate ${passgateVersion()}`);
    return EXIT.ok;
  }
  if (command === 'help' || (command === undefined && argv.includes('--help'))) return showUsage(out, USAGE);
  if (command === undefined) return usageError(out, USAGE);
  if (!COMMANDS.includes(command)) {
    // Before the data directory is resolved: a typo must not create one.
    const hint = didYouMean(nearestName(command, COMMANDS));
    return usageError(out, USAGE, `未知命令 / unknown command: ${command.slice(0, 40)}${hint}`);
  }
  // Imported on demand: the decoders (zxing-wasm, Grid Matrix) are not the daemon's business.
  if (command === 'decode') return (await import('./decode-command.js')).runDecodeCommand(rest, out);
  let dataDir: string;
  try {
    dataDir = resolveDataDir(argv, env);
  } catch (error) {
    out.stderr((error as Error).message);
    return EXIT.usage;
  }
  const crypto = createGmCryptoSuite();
  if (command === 'run') return runDaemonCommand(dataDir, rest, crypto, out);
  let store: ConfigStore;
  try {
    store = ConfigStore.open(dataDir);
  } catch (error) {
    return reportFailure(out, isPassgateError(error) ? error.code : 'config.storage', (error as Error).message);
  }
  try {
    switch (command) {
      case 'provision':
        return await runProvisionCommand(store, dataDir, rest, crypto, out);
      case 'bind':
      case 'rebind':
        return await runBindCommand(command, store, dataDir, rest, crypto, out);
      case 'status':
        return await runStatusCommand(store, dataDir, rest, crypto, out);
      case 'selftest':
        return await runSelftestCommand(store, dataDir, rest, crypto, out);
      case 'config':
        return runConfigCommand(store, rest, out);
      default:
        return usageError(out, USAGE, `未知命令 / unknown command: ${command.slice(0, 40)}`);
    }
  } catch (error) {
    if (isPassgateError(error)) return reportFailure(out, error.code);
    throw error;
  } finally {
    store.close();
  }
}
