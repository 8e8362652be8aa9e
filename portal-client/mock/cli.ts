// `passgate-mock`: runs the bundled mock portal and drives it (demo dataset, registrations,
// faults). Entry: scripts/bin/passgate-mock.mjs calls main(argv); main returns the exit code.
//
// Exit codes: 0 done; 2 usage error (unknown command or option, bad argument); 3 the command
// failed (no running mock, the mock refused, zint missing, a file unreadable...). Every failure
// is in Chinese and English; with --json it prints as one JSON object on stdout,
// {"error":{"code","message":{"zh","en"}}}, the same shape as `passgate --json`.
// conformance adds 1 (a check failed) and 4 (none failed, some skipped).
import { resolve } from 'node:path';
import { errorMessage, errorObject, type Message } from '../../firmware/core/error-messages.js';
import { type ErrorCode, isPassgateError } from '../../firmware/core/errors.js';
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

export function globalHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    '用法 / usage: passgate-mock <命令 command> [选项 options]',
    '',
    `内置的模拟城市门户平台及其合成演示数据 / the bundled mock city portal (reference protocol v1, PROTOCOL.md document ${PROTOCOL_DOCUMENT_VERSION})`,
    '  and its synthetic demo dataset',
    '',
    '命令 / commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.zh.summary} / ${c.summary}`),
    '',
    `每个命令都接受 --dir DIR（模拟平台的数据目录，默认 ${DEFAULT_MOCK_DIR}）和 --help / every command takes --dir DIR, the mock's data directory (default ${DEFAULT_MOCK_DIR}), and --help`,
    '加 --json 时数据与错误都以 JSON 输出到标准输出 / with --json, data and errors print as JSON on stdout',
    '退出码 / exit codes: 0 成功 ok, 2 命令行有误 usage error, 3 命令失败 the command failed（conformance 另有 1 和 4 / conformance adds 1 and 4）',
    'passgate-mock <命令 command> --help 显示命令详情 / shows a command in detail',
  ].join('\n');
}

export function commandHelp(c: CommandDef): string {
  return [
    ...c.usage.map((u, i) => `${i === 0 ? '用法 / usage:' : '             '} passgate-mock ${u}`),
    '',
    `${c.zh.summary} / ${c.summary}`,
    '',
    c.details,
    '',
    c.zh.details,
    `--dir      模拟平台的数据目录 / the mock's data directory (default ${DEFAULT_MOCK_DIR})`,
  ].join('\n');
}

/** --json among the options: failures then print as one JSON object on stdout. */
function wantsJson(argv: readonly string[]): boolean {
  return argv.includes('--json');
}

/** A failure: `错误: … / error: …` on stderr (then `help`, if given), or with --json the JSON error object on stdout. */
function fail(io: CliIo, json: boolean, code: ErrorCode, message: Message, exit: number, help?: string): number {
  if (json) io.stdout(JSON.stringify(errorObject(code, message)));
  else io.stderr([`错误: ${message.zh}`, `error: ${message.en}`, ...(help ? ['', help] : [])].join('\n'));
  return exit;
}

export async function main(argv: readonly string[], options: MainOptions = {}): Promise<number> {
  const io = options.io ?? processIo;
  const json = wantsJson(argv);
  const [name, ...rest] = json && argv[0] === '--json' ? [argv[1], '--json', ...argv.slice(2)] : argv;
  if (name === 'version' || name === '--version' || name === '-V') {
    io.stdout(json ? JSON.stringify({ version: passgateVersion() }) : `passgate-mock ${passgateVersion()}`);
    return EXIT.ok;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    io.stdout(globalHelp());
    return EXIT.ok;
  }
  if (name === undefined) {
    const missing = { zh: '缺少命令', en: 'no command given' };
    return fail(io, json, 'usage.missing-argument', missing, EXIT.usage, globalHelp());
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    const shown = JSON.stringify(name.slice(0, 40));
    const message = { zh: `未知命令 ${shown}`, en: `unknown command ${shown}` };
    return fail(io, json, 'usage.unknown-command', message, EXIT.usage, globalHelp());
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
    const where = `passgate-mock ${command.name}: `;
    if (error instanceof UsageError) {
      const message = { zh: where + error.zh, en: where + error.message };
      return fail(io, json, error.code, message, EXIT.usage, commandHelp(command));
    }
    if (error instanceof CliFailure) {
      return fail(io, json, error.code, { zh: where + error.zh, en: where + error.message }, EXIT.failed);
    }
    if (isPassgateError(error)) {
      const zh = `${errorMessage(error.code).zh}（${error.message}）`;
      return fail(io, json, error.code, { zh: where + zh, en: where + error.message }, EXIT.failed);
    }
    // Only the error's kind: an unexpected message could carry anything.
    const kind = (error as Error)?.name ?? typeof error;
    const message = { zh: `${where}意外错误（${kind}）`, en: `${where}unexpected failure (${kind})` };
    return fail(io, json, 'mock.unexpected', message, EXIT.failed);
  }
}
