// The CLI's argument parsing (firmware/cli/args.ts, data-dir.ts, and main's dispatch up to the
// point where a command would open the data directory): command lines of options, values, `--`,
// `-h` and words, some of them a pasted pass code or ID number. Contract: parseArgs never throws
// and keeps to its spec; resolveDataDir throws only config.invalid-value and gives an absolute
// path; main answers 0 or 2; no output line repeats the pasted pass code or ID number.
import { isAbsolute } from 'node:path';
import fc from 'fast-check';
import { type ArgSpec, parseArgs, splitCommand } from '../../../firmware/cli/args.js';
import { main } from '../../../firmware/cli/main.js';
import { resolveDataDir } from '../../../firmware/config/data-dir.js';
import { syntheticIdNumber } from '../../../firmware/core/id-number.js';
import { mulberry32 } from '../../lab/synth-image.js';
import { shorterList } from '../minimise.js';
import { allowing, check, type FuzzTarget } from '../target.js';

const NAMES = ['json', 'scan', 'force', 'offline', 'app-id', 'portal-url', 'data-dir', 'help', 'x'];
const COMMANDS = ['provision', 'bind', 'rebind', 'status', 'selftest', 'config', 'decode', 'run', 'version', 'help'];

interface CliInput {
  spec: ArgSpec;
  argv: string[];
}

/** Pass codes and ID numbers (synthetic) a technician might paste in the wrong place. */
function secrets(): string[] {
  const random = mulberry32(13);
  return [syntheticIdNumber({ random }), syntheticIdNumber({ random }), 'PGC1.q83vEjRWeJC8Cg3PuLq4Zw'];
}
const SECRETS = secrets();

const word = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...COMMANDS) },
  { weight: 2, arbitrary: fc.constantFrom(...SECRETS) },
  fc.constantFrom('--', '-h', '--help', '-V', '--version', 'exit-codes', ''),
  fc.constantFrom(...NAMES).map((n) => `--${n}`),
  fc
    .tuple(fc.constantFrom(...NAMES), fc.oneof(fc.constantFrom(...SECRETS), fc.string({ maxLength: 8 })))
    .map(([n, v]) => `--${n}=${v}`),
  fc.constantFrom(...SECRETS).map((s) => `--${s}`),
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 12 }),
);

export function cliArgsTarget(): FuzzTarget<CliInput> {
  return {
    name: 'cli-args',
    seeds: () => [
      { spec: { flags: ['json'], positionals: 1 }, argv: ['bind', 'V0001', '--json'] },
      { spec: { values: ['app-id'], flags: ['force'] }, argv: ['provision', '--app-id', 'x', '--force'] },
      { spec: { positionals: 0 }, argv: ['status', '--data-dir', '/tmp/x', '--', '--json'] },
      { spec: { flags: ['json'] }, argv: ['help', 'config'] },
    ],
    inputs: () =>
      fc.record({
        spec: fc.record(
          {
            values: fc.subarray(NAMES.slice(0, 6)),
            flags: fc.subarray(NAMES.slice(0, 6)),
            positionals: fc.integer({ min: 0, max: 3 }),
          },
          { requiredKeys: [] },
        ),
        argv: fc.array(word, { maxLength: 8 }),
      }),
    async run({ spec, argv }) {
      const parsed = parseArgs(argv, spec);
      if (parsed.ok) {
        const { args } = parsed;
        const allowed = spec.positionals ?? Number.POSITIVE_INFINITY;
        check(args.flags.has('help') || args.positional.length <= allowed, 'more positionals than the spec takes');
        for (const name of Object.keys(args.values)) check((spec.values ?? []).includes(name), `a value for --${name}`);
        for (const name of args.flags) check(name === 'help' || (spec.flags ?? []).includes(name), `a flag --${name}`);
      } else {
        for (const s of SECRETS)
          check(!`${parsed.problem.zh} ${parsed.problem.en}`.includes(s), 'a usage problem repeats a pasted pass code');
      }
      const split = splitCommand(argv);
      check(split.rest.length === argv.length - (split.command === undefined ? 0 : 1), 'splitCommand lost a word');
      const dir = allowing(['config.invalid-value'], () => resolveDataDir(argv, {}));
      if (dir.ok) check(isAbsolute(dir.value), 'a data directory that is not absolute');

      // main, only where it answers before opening a data directory (usage, help, version).
      const end = argv.indexOf('--');
      const options = end < 0 ? argv : argv.slice(0, end);
      const help = options.some((a) => a === '-h' || a === '--help');
      const command = split.command;
      const early =
        command === undefined ||
        command === 'help' ||
        command === 'version' ||
        command === '-V' ||
        !COMMANDS.includes(command) ||
        help;
      if (!early) return parsed.ok ? 'parsed' : 'usage-problem';
      const lines: string[] = [];
      const code = await main(argv, { stdout: (l) => lines.push(l), stderr: (l) => lines.push(l) }, {});
      check(code === 0 || code === 2, `main answered ${code} before opening a data directory`);
      const output = lines.join('\n');
      for (const s of SECRETS) check(!output.includes(s), 'the CLI printed a pasted pass code or ID number');
      return `main:${code}:${parsed.ok ? 'parsed' : 'usage-problem'}`;
    },
    smaller: function* (input) {
      for (const argv of shorterList(input.argv)) yield { ...input, argv };
    },
    show: (input) => JSON.stringify(input),
  };
}
