// A small argv parser for the CLI: `--name value`, `--name=value`, boolean `--flag`, positionals.
import { PassgateError } from '../core/errors.js';

export interface ParsedArgs {
  positional: string[];
  values: Record<string, string>;
  flags: Set<string>;
}

/** `valueNames` take a value; `flagNames` do not. Anything else starting with -- is a usage error. */
export function parseArgs(args: readonly string[], valueNames: readonly string[], flagNames: readonly string[]): ParsedArgs {
  const parsed: ParsedArgs = { positional: [], values: {}, flags: new Set() };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (!arg.startsWith('--')) {
      parsed.positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq >= 0 ? eq : undefined);
    if (name === 'data-dir') {
      if (eq < 0) i++; // resolved by resolveDataDir; skip its value here
      continue;
    }
    if (valueNames.includes(name)) {
      const value = eq >= 0 ? arg.slice(eq + 1) : args[++i];
      // `--app-id --force`: the next option is not a value (`--name=--x` still passes one).
      if (value === undefined || (eq < 0 && value.startsWith('--'))) throw new PassgateError('config.invalid-value', `--${name} needs a value`);
      parsed.values[name] = value;
    } else if (flagNames.includes(name) && eq < 0) {
      parsed.flags.add(name);
    } else {
      throw new PassgateError('config.invalid-value', `unknown option --${name}`);
    }
  }
  return parsed;
}
