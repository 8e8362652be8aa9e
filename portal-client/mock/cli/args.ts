// Argument parsing for `passgate-mock`: `--name value`, `--name=value`, boolean `--flag`, and
// positionals. Anything unknown is a usage error (exit 2), reported by name only.
import type { ErrorCode } from '../../../firmware/core/errors.js';

/**
 * A mistake in how the command was called: printed with the command's usage, exit code 2. A
 * `usage.*` error code and the message in both languages (`message` is the English one).
 */
export class UsageError extends Error {
  readonly code: ErrorCode;
  readonly zh: string;

  constructor(code: ErrorCode, zh: string, en: string) {
    super(en);
    this.name = 'UsageError';
    this.code = code;
    this.zh = zh;
  }
}

export interface ParsedArgs {
  positional: string[];
  values: Map<string, string>;
  flags: Set<string>;
}

export interface ArgSpec {
  /** Options that take a value. */
  values?: readonly string[];
  /** Options without a value. */
  flags?: readonly string[];
}

export function parseArgs(args: readonly string[], spec: ArgSpec): ParsedArgs {
  const valueNames = spec.values ?? [];
  const flagNames = spec.flags ?? [];
  const parsed: ParsedArgs = { positional: [], values: new Map(), flags: new Set() };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '-h') {
      parsed.flags.add('help');
      continue;
    }
    if (!arg.startsWith('--') || arg === '--') {
      parsed.positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq >= 0 ? eq : undefined);
    if (valueNames.includes(name)) {
      const value = eq >= 0 ? arg.slice(eq + 1) : args[++i];
      if (value === undefined)
        throw new UsageError('usage.missing-value', `--${name} 需要一个值`, `--${name} needs a value`);
      parsed.values.set(name, value);
    } else if ((flagNames.includes(name) || name === 'help') && eq < 0) {
      parsed.flags.add(name);
    } else {
      const shown = /^[a-z][a-z0-9-]{0,31}$/.test(name) ? `--${name}` : '(不显示 / not shown)';
      throw new UsageError('usage.unknown-option', `未知选项 ${shown}`, `unknown option ${shown}`);
    }
  }
  return parsed;
}

/** A whole number in [min, max] from an option value; a usage error otherwise. */
export function intOption(parsed: ParsedArgs, name: string, min: number, max: number): number | undefined {
  const text = parsed.values.get(name);
  if (text === undefined) return undefined;
  if (!/^[0-9]+$/.test(text))
    throw new UsageError('usage.invalid-argument', `--${name} 必须是整数`, `--${name} must be a whole number`);
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < min || value > max)
    throw new UsageError(
      'usage.invalid-argument',
      `--${name} 必须在 ${min} 到 ${max} 之间`,
      `--${name} must be between ${min} and ${max}`,
    );
  return value;
}

/** Exactly `names.length` positionals, returned in order; a usage error otherwise. */
export function positionals(parsed: ParsedArgs, names: readonly string[]): string[] {
  if (parsed.positional.length < names.length) {
    const missing = names.slice(parsed.positional.length).join(' ');
    throw new UsageError('usage.missing-argument', `缺少 ${missing}`, `missing ${missing}`);
  }
  if (parsed.positional.length > names.length) {
    const extra = parsed.positional.length - names.length;
    throw new UsageError('usage.extra-argument', `多余的参数 ${extra} 个`, `unexpected argument (${extra} too many)`);
  }
  return parsed.positional;
}
