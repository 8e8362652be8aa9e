// Argument parsing for `passgate-mock`: `--name value`, `--name=value`, boolean `--flag`, and
// positionals. Anything unknown is a usage error (exit 2), reported by name only.

/** A mistake in how the command was called: printed with the command's usage, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
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
      if (value === undefined) throw new UsageError(`--${name} needs a value`);
      parsed.values.set(name, value);
    } else if ((flagNames.includes(name) || name === 'help') && eq < 0) {
      parsed.flags.add(name);
    } else {
      throw new UsageError(`unknown option --${name}`);
    }
  }
  return parsed;
}

/** A whole number in [min, max] from an option value; a usage error otherwise. */
export function intOption(parsed: ParsedArgs, name: string, min: number, max: number): number | undefined {
  const text = parsed.values.get(name);
  if (text === undefined) return undefined;
  if (!/^[0-9]+$/.test(text)) throw new UsageError(`--${name} must be a whole number`);
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < min || value > max)
    throw new UsageError(`--${name} must be between ${min} and ${max}`);
  return value;
}

/** Exactly `names.length` positionals, returned in order; a usage error otherwise. */
export function positionals(parsed: ParsedArgs, names: readonly string[]): string[] {
  if (parsed.positional.length < names.length)
    throw new UsageError(`missing ${names.slice(parsed.positional.length).join(' ')}`);
  if (parsed.positional.length > names.length)
    throw new UsageError(`unexpected argument (${parsed.positional.length - names.length} too many)`);
  return parsed.positional;
}
