// `passgate <command>`: the CLI for vendors (provision), technicians (bind, rebind, status,
// selftest, config, decode) and the service manager (run).

import type { CryptoSuite } from '../../portal-client/crypto/suite.js';
import { resolveDataDir } from '../config/data-dir.js';
import { ConfigStore } from '../config/store.js';
import { isPassgateError } from '../core/errors.js';
import { passgateVersion } from '../core/version.js';
import { applyDaemonV8Flags } from '../daemon/node-runtime-options.js';
import { printableWord, problem, readCommandArgs, showUsage, splitCommand, usageError } from './args.js';
import { runBindCommand } from './bind-command.js';
import { runConfigCommand } from './config-command.js';
import { EXIT, exitCodeTableLines } from './exit-codes.js';
import { reportError, reportFailure } from './failures.js';
import { type CommandOutput, processOutput } from './io.js';
import { nearestName } from './nearest.js';
import { runProvisionCommand } from './provision-command.js';
import { runDaemonCommand } from './run-command.js';
import { runSelftestCommand, SELFTEST_ARGS } from './selftest-command.js';
import { runStatusCommand, STATUS_ARGS } from './status-command.js';
import {
  bindUsage,
  CONFIG_USAGE,
  DECODE_USAGE,
  MAIN_USAGE,
  PROVISION_USAGE,
  RELEASE_USAGE,
  RUN_USAGE,
  SELFTEST_USAGE,
  STATUS_USAGE,
  UPDATE_USAGE,
  VERSION_USAGE,
} from './usages.js';

export const USAGE = MAIN_USAGE;

/**
 * The crypto suite, imported on demand: loading its SM2 library (sm-crypto-v2 on @noble/curves)
 * costs ~40 ms of CPU that --version, help, usage errors, config and decode do not need.
 */
async function loadCryptoSuite(): Promise<CryptoSuite> {
  return (await import('../../portal-client/crypto/gm-suite.js')).createGmCryptoSuite();
}

/** Every command word, for "did you mean". */
const HELP = {
  provision: PROVISION_USAGE,
  bind: bindUsage('bind'),
  rebind: bindUsage('rebind'),
  status: STATUS_USAGE,
  selftest: SELFTEST_USAGE,
  config: CONFIG_USAGE,
  decode: DECODE_USAGE,
  run: RUN_USAGE,
  update: UPDATE_USAGE,
  release: RELEASE_USAGE,
  version: VERSION_USAGE,
} as const;
type CommandWord = keyof typeof HELP | 'help';
export const COMMANDS: readonly string[] = [...Object.keys(HELP), 'help'];

/** -h or --help among a command's options (not after `--`, where it would be a value). */
function wantsHelp(rest: readonly string[]): boolean {
  const end = rest.indexOf('--');
  return (end < 0 ? rest : rest.slice(0, end)).some((a) => a === '-h' || a === '--help');
}

/** `passgate help`, `help <command>`, `help exit-codes`. */
function showHelp(out: CommandOutput, rest: readonly string[]): number {
  const topics = rest.filter((a, i) => !a.startsWith('--') && rest[i - 1] !== '--data-dir');
  const topic = topics[0];
  if (topic === undefined) return showUsage(out, USAGE);
  if (topic === 'exit-codes') {
    for (const line of exitCodeTableLines()) out.stdout(line);
    return EXIT.ok;
  }
  // Own keys only: `in` would take "toString" or "constructor" for a topic (fuzz finding).
  if (Object.hasOwn(HELP, topic)) return showUsage(out, HELP[topic as keyof typeof HELP]);
  const hint = nearestName(topic, [...Object.keys(HELP), 'exit-codes']);
  const shown = printableWord(topic);
  return usageError(
    out,
    USAGE,
    problem('usage.unknown-command', `未知帮助主题: ${shown}`, `unknown help topic: ${shown}`, hint),
  );
}

/**
 * Commands that only look (status, selftest, config get/list): they open an existing database
 * read-only and create nothing, so a mistyped --data-dir is an error, not an empty device.
 */
function readsOnly(command: string, rest: readonly string[]): boolean {
  if (command === 'status' || command === 'selftest') return true;
  if (command !== 'config') return false;
  const sub = rest.find((a, i) => !a.startsWith('-') && rest[i - 1] !== '--data-dir');
  return sub === 'get' || sub === 'list';
}

/** --json among the options (not after `--`, where it would be a value). */
function wantsJson(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).includes('--json');
}

const NO_COMMAND = problem('usage.missing-argument', '缺少命令', 'no command given');

export async function main(
  argv: string[],
  output: CommandOutput = processOutput,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  // With --json, every failure of every command prints as one JSON object on stdout (failures.ts).
  const out: CommandOutput = wantsJson(argv) ? { ...output, json: true } : output;
  const { command, rest } = splitCommand(argv);
  const versionAsked =
    command === 'version' || command === '-V' || (command === undefined && argv.includes('--version'));
  if (versionAsked && wantsHelp(rest)) return showUsage(out, VERSION_USAGE);
  if (versionAsked) {
    out.stdout(out.json ? JSON.stringify({ version: passgateVersion() }) : `passgate ${passgateVersion()}`);
    return EXIT.ok;
  }
  if (command === 'help') return showHelp(out, rest);
  if (command === undefined && (argv.includes('--help') || argv.includes('-h'))) return showUsage(out, USAGE);
  if (command === undefined) return usageError(out, USAGE, NO_COMMAND);
  if (!COMMANDS.includes(command)) {
    // Before the data directory is resolved: a typo must not create one.
    const shown = printableWord(command);
    const hint = nearestName(command, COMMANDS);
    return usageError(
      out,
      USAGE,
      problem('usage.unknown-command', `未知命令: ${shown}`, `unknown command: ${shown}`, hint),
    );
  }
  // Answered before the data directory is resolved: asking for help must not create one.
  if (wantsHelp(rest)) return showUsage(out, HELP[command as Exclude<CommandWord, 'help'>]);
  // Imported on demand: the decoders (zxing-wasm, Grid Matrix) are not the daemon's business.
  if (command === 'decode') return (await import('./decode-command.js')).runDecodeCommand(rest, out);
  // The vendor's build machine has no gate data directory: none is resolved or created.
  if (command === 'release') {
    return (await import('./release-command.js')).runReleaseCommand(rest, await loadCryptoSuite(), out);
  }
  let dataDir: string;
  try {
    dataDir = resolveDataDir(argv, env);
  } catch {
    return usageError(
      out,
      USAGE,
      problem('usage.missing-value', '--data-dir 需要一个目录', '--data-dir needs a directory'),
    );
  }
  if (command === 'run') {
    applyDaemonV8Flags();
    return runDaemonCommand(dataDir, rest, await loadCryptoSuite(), out, { exit: (code) => process.exit(code), env });
  }
  // Opens the config database only where it must (update-command.ts says why).
  if (command === 'update')
    return (await import('./update-command.js')).runUpdateCommand(dataDir, rest, await loadCryptoSuite(), out, env);
  const mode = readsOnly(command, rest) ? 'read-only' : 'create';
  if (command === 'config') {
    // Opened when a subcommand needs it: a wrong key or argument is answered first.
    let opened: ConfigStore | undefined;
    try {
      return runConfigCommand(() => (opened ??= ConfigStore.open(dataDir, { mode })), rest, out);
    } finally {
      opened?.close();
    }
  }
  // A wrong command line is answered before the database is looked for.
  const spec = command === 'status' ? STATUS_ARGS : command === 'selftest' ? SELFTEST_ARGS : undefined;
  const checked = spec && readCommandArgs(rest, spec, HELP[command as 'status' | 'selftest'], out);
  if (checked?.exit !== undefined) return checked.exit;
  let store: ConfigStore;
  try {
    store = ConfigStore.open(dataDir, { mode });
  } catch (error) {
    return reportFailure(out, isPassgateError(error) ? error.code : 'config.storage', (error as Error).message);
  }
  try {
    const crypto = await loadCryptoSuite();
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
      default:
        return usageError(
          out,
          USAGE,
          problem(
            'usage.unknown-command',
            `未知命令: ${printableWord(command)}`,
            `unknown command: ${printableWord(command)}`,
          ),
        );
    }
  } catch (error) {
    if (isPassgateError(error)) return reportError(out, error);
    throw error;
  } finally {
    store.close();
  }
}
