// What every `passgate-mock` subcommand is: its help text, its options, and its action.
import type { CryptoSuite } from '../../crypto/suite.js';
import type { ArgSpec, ParsedArgs } from './args.js';
import type { CliIo } from './io.js';
import type { MockCliTimeouts } from './timeouts.js';

export interface CommandContext {
  /** The mock's data directory (--dir), absolute. */
  dir: string;
  io: CliIo;
  crypto: CryptoSuite;
  timeouts: MockCliTimeouts;
  now: () => number;
}

export interface CommandDef {
  name: string;
  summary: string;
  /** Usage lines after `passgate-mock `, then a blank line and `details`. */
  usage: readonly string[];
  details: string;
  /** The summary and details in Chinese: every help text is in both languages. */
  zh: { summary: string; details: string };
  /** Options besides --dir and --help, which every command takes. */
  spec: ArgSpec;
  run(args: ParsedArgs, ctx: CommandContext): Promise<number>;
}

/** Prints `value` as one JSON line. */
export function printJson(ctx: CommandContext, value: unknown): void {
  ctx.io.stdout(JSON.stringify(value));
}
