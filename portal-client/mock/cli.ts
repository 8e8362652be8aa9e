// `passgate-mock`: runs the bundled mock portal and drives it (demo dataset, registrations,
// faults). Entry: scripts/bin/passgate-mock.mjs calls main(argv); main returns the exit code.
//
// Exit codes: 0 done; 2 usage error (unknown command or option, bad argument); 3 the command
// failed (no running mock, the mock refused, zint missing, a file unreadable...). conformance adds
// 1 (a check failed) and 4 (none failed, some skipped).
import { resolve } from 'node:path';
import { isPassgateError } from '../../firmware/core/errors.js';
import { passgateVersion } from '../../firmware/core/version.js';
import { createGmCryptoSuite } from '../crypto/gm-suite.js';
import type { CryptoSuite } from '../crypto/suite.js';
import { PROTOCOL_DOCUMENT_VERSION } from '../protocol/constants.js';
import {
  expireTokensCommand,
  faultsCommand,
  registerDeviceCommand,
  statsCommand,
  vendorCommand,
} from './cli/admin-commands.js';
import { parseArgs, UsageError } from './cli/args.js';
import type { CommandDef } from './cli/command.js';
import { conformanceCommand } from './cli/conformance-command.js';
import { idcardCommand, issueCommand, residentsCommand, vendorsCommand } from './cli/dataset-commands.js';
import { deviationsCommand } from './cli/deviations-command.js';
import { CliFailure, type CliIo, EXIT, processIo } from './cli/io.js';
import { serveCommand } from './cli/serve-command.js';
import { MOCK_CLI_TIMEOUTS, type MockCliTimeouts } from './cli/timeouts.js';
import { venuesCommand } from './cli/venue-commands.js';

export const DEFAULT_MOCK_DIR = './.passgate-mock';

const COMMANDS: readonly CommandDef[] = [
  serveCommand,
  residentsCommand,
  issueCommand,
  idcardCommand,
  venuesCommand,
  vendorsCommand,
  registerDeviceCommand,
  vendorCommand,
  faultsCommand,
  expireTokensCommand,
  statsCommand,
  conformanceCommand,
  deviationsCommand,
];

export interface MainOptions {
  io?: CliIo;
  crypto?: CryptoSuite;
  timeouts?: MockCliTimeouts;
  now?: () => number;
}

function globalHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'usage: passgate-mock <command> [options]',
    '',
    `The bundled mock city portal (reference protocol v1, PROTOCOL.md document ${PROTOCOL_DOCUMENT_VERSION})`,
    'and its synthetic demo dataset.',
    '',
    'commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    `Every command takes --dir DIR, the mock's data directory (default ${DEFAULT_MOCK_DIR}),`,
    'and --help. --json prints data as JSON where a command prints data.',
    'exit codes: 0 ok, 2 usage error, 3 the command failed (conformance adds 1 and 4).',
    'passgate-mock <command> --help shows a command in detail.',
  ].join('\n');
}

function commandHelp(c: CommandDef): string {
  return [
    ...c.usage.map((u, i) => `${i === 0 ? 'usage:' : '      '} passgate-mock ${u}`),
    '',
    c.summary,
    '',
    c.details,
    `--dir      the mock's data directory (default ${DEFAULT_MOCK_DIR})`,
  ].join('\n');
}

export async function main(argv: readonly string[], options: MainOptions = {}): Promise<number> {
  const io = options.io ?? processIo;
  const [name, ...rest] = argv;
  if (name === 'version' || name === '--version' || name === '-V') {
    io.stdout(`passgate-mock ${passgateVersion()}`);
    return EXIT.ok;
  }
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? io.stderr : io.stdout)(globalHelp());
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.stderr(`passgate-mock: unknown command ${JSON.stringify(name.slice(0, 40))}\n\n${globalHelp()}`);
    return EXIT.usage;
  }
  try {
    const args = parseArgs(rest, { values: [...(command.spec.values ?? []), 'dir'], flags: command.spec.flags });
    if (args.flags.has('help')) {
      io.stdout(commandHelp(command));
      return EXIT.ok;
    }
    const ctx = {
      dir: resolve(args.values.get('dir') ?? DEFAULT_MOCK_DIR),
      io,
      crypto: options.crypto ?? createGmCryptoSuite(),
      timeouts: options.timeouts ?? MOCK_CLI_TIMEOUTS,
      now: options.now ?? Date.now,
    };
    return await command.run(args, ctx);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`passgate-mock ${command.name}: ${error.message}\n\n${commandHelp(command)}`);
      return EXIT.usage;
    }
    if (error instanceof CliFailure || isPassgateError(error)) {
      io.stderr(`passgate-mock ${command.name}: ${error.message}`);
      return EXIT.failed;
    }
    // Only the error's kind: an unexpected message could carry anything.
    io.stderr(`passgate-mock ${command.name}: unexpected failure (${(error as Error)?.name ?? typeof error})`);
    return EXIT.failed;
  }
}
