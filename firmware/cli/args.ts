// The one argument parser of `passgate` and all its commands: `--name value`, `--name=value`,
// boolean `--flag`, positionals (at most as many as the command takes); `--help` and `-h` everywhere; `--` ends the options (so a value
// may start with `--`). `--data-dir` is accepted and skipped: main resolves it for every command.
import type { ErrorCode } from '../core/errors.js';
import { EXIT, type ExitName, exitCodeSummary } from './exit-codes.js';
import { type Message, reportMessage } from './failures.js';
import type { CommandOutput } from './io.js';
import { nearestName } from './nearest.js';

export interface ArgSpec {
  /** Options that take a value. */
  values?: readonly string[];
  /** Options without a value (`help` is always one). */
  flags?: readonly string[];
  /** How many positional arguments the command takes at most; default: any number. */
  positionals?: number;
}

export interface ParsedArgs {
  positional: string[];
  values: Record<string, string>;
  flags: Set<string>;
}

/** What is wrong with a command line, in both languages, under a `usage.*` error code. */
export interface Problem extends Message {
  code: ErrorCode;
}

/** A command line that does not fit the spec: what is wrong, naming the option only. */
export type ParseResult = { ok: true; args: ParsedArgs } | { ok: false; problem: Problem };

/** A usage problem; `hint` is the did-you-mean suggestion, if any. */
export function problem(code: ErrorCode, zh: string, en: string, hint?: string): Problem {
  return hint ? { code, zh: `${zh}，您是否想输入 ${hint}？`, en: `${en}; did you mean ${hint}?` } : { code, zh, en };
}

const DATA_DIR = 'data-dir';

/** Never throws: a wrong command line is an answer, not an error. */
export function parseArgs(args: readonly string[], spec: ArgSpec): ParseResult {
  const valueNames = spec.values ?? [];
  const flagNames = [...(spec.flags ?? []), 'help'];
  const parsed: ParsedArgs = { positional: [], values: {}, flags: new Set() };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--') {
      parsed.positional.push(...args.slice(i + 1));
      break;
    }
    if (arg === '-h') {
      parsed.flags.add('help');
      continue;
    }
    if (!arg.startsWith('--')) {
      parsed.positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq >= 0 ? eq : undefined);
    if (name === DATA_DIR) {
      // Its value is main's business; a missing one is a usage error here too (decode never
      // resolves the data directory).
      if (eq < 0 && (args[i + 1] === undefined || args[i + 1].startsWith('--'))) {
        return {
          ok: false,
          problem: problem('usage.missing-value', `--${DATA_DIR} 需要一个值`, `--${DATA_DIR} needs a value`),
        };
      }
      if (eq < 0) i++;
      continue;
    }
    if (valueNames.includes(name)) {
      const value = eq >= 0 ? arg.slice(eq + 1) : args[++i];
      // `--app-id --force`: the next option is not a value (`--name=--x` still passes one).
      if (value === undefined || (eq < 0 && value.startsWith('--'))) {
        return {
          ok: false,
          problem: problem('usage.missing-value', `--${name} 需要一个值`, `--${name} needs a value`),
        };
      }
      parsed.values[name] = value;
    } else if (flagNames.includes(name) && eq < 0) {
      parsed.flags.add(name);
    } else {
      const shown = printableOption(arg);
      const near = shown === NOT_SHOWN ? undefined : nearestName(name, [...valueNames, ...flagNames, DATA_DIR]);
      const hint = near === undefined ? undefined : `--${near}`;
      return {
        ok: false,
        problem: problem('usage.unknown-option', `未知选项: ${shown}`, `unknown option: ${shown}`, hint),
      };
    }
  }
  const allowed = spec.positionals ?? Number.POSITIVE_INFINITY;
  if (parsed.positional.length > allowed && !parsed.flags.has('help')) {
    // The extra words are not echoed: a technician may have pasted a pass code by mistake.
    const extra = parsed.positional.length - allowed;
    return {
      ok: false,
      problem: problem(
        'usage.extra-argument',
        `多余的参数 ${extra} 个（不显示）`,
        `${extra} unexpected argument${extra === 1 ? '' : 's'} (not shown)`,
      ),
    };
  }
  return { ok: true, args: parsed };
}

const NOT_SHOWN = '(不显示 / not shown)';

/**
 * A word as typed (an unknown command or help topic), when it looks like one: lower-case letters
 * and dashes, as every command word is. Anything else (a pass code or ID number pasted in the
 * wrong place) is not echoed.
 */
export function printableWord(word: string): string {
  return /^[a-z][a-z-]{0,31}$/.test(word) ? word : NOT_SHOWN;
}

/** An option as typed, when it looks like one; whatever else was typed is not echoed. */
function printableOption(arg: string): string {
  const name = arg.split('=')[0];
  return /^--[a-z][a-z0-9-]{0,31}$/.test(name) ? name : NOT_SHOWN;
}

/** The command word of `passgate [--data-dir DIR] COMMAND ARGS…` and everything else. */
export function splitCommand(argv: readonly string[]): { command: string | undefined; rest: string[] } {
  const index = argv.findIndex((a, i) => !a.startsWith('--') && argv[i - 1] !== `--${DATA_DIR}`);
  if (index < 0) return { command: undefined, rest: [...argv] };
  return { command: argv[index], rest: argv.filter((_, i) => i !== index) };
}

export interface CommandUsage {
  /** The usage lines, printed on stdout for --help and on stderr after a usage error. */
  lines: readonly string[];
  /** Command lines to copy, printed under "examples". */
  examples?: readonly string[];
  /** Exit codes the command can end with, listed after the usage lines. */
  exits?: readonly ExitName[];
}

/** Usage lines, then the examples and the exit codes, when the command lists them. */
export function usageLines(usage: CommandUsage): string[] {
  const lines = [...usage.lines];
  if (usage.examples) lines.push('示例 / examples:', ...usage.examples.map((e) => `  ${e}`));
  if (usage.exits) lines.push(`exit codes / 退出码: ${exitCodeSummary(usage.exits)}`);
  return lines;
}

/** Prints the usage on stdout, as asked for with --help; returns 0. */
export function showUsage(out: CommandOutput, usage: CommandUsage): number {
  for (const line of usageLines(usage)) out.stdout(line);
  return EXIT.ok;
}

/** A command line that stops short: no command, subcommand or argument where one is needed. */
export const INCOMPLETE: Problem = {
  code: 'usage.missing-argument',
  zh: '命令不完整，缺少参数',
  en: 'incomplete command line: an argument is missing',
};

/**
 * Prints `problem` and the usage on stderr (with --json: only the problem, as the one JSON error
 * object on stdout); returns the usage exit code.
 */
export function usageError(out: CommandOutput, usage: CommandUsage, why: Problem = INCOMPLETE): number {
  reportMessage(out, why.code, why, EXIT.usage);
  if (!out.json) for (const line of usageLines(usage)) out.stderr(line);
  return EXIT.usage;
}

/**
 * How every command reads its arguments: a command line that does not fit prints the problem and
 * the usage (exit 2); --help prints the usage on stdout (exit 0). With an `exit`, the command
 * returns it at once.
 */
export function readCommandArgs(
  args: readonly string[],
  spec: ArgSpec,
  usage: CommandUsage,
  out: CommandOutput,
): { args: ParsedArgs; exit?: undefined } | { exit: number } {
  const result = parseArgs(args, spec);
  if (!result.ok) return { exit: usageError(out, usage, result.problem) };
  if (result.args.flags.has('help')) return { exit: showUsage(out, usage) };
  return { args: result.args };
}
