// `npm run fuzz -- [--seconds N] [--only a,b] [--seed S] [--json] [--list] [--verbose] [--no-coverage]`.

export interface FuzzOptions {
  /** Budget per target, seconds. */
  seconds: number;
  only: string[] | undefined;
  seed: number | undefined;
  json: boolean;
  list: boolean;
  verbose: boolean;
  /** Guide the corpus by code coverage (default) as well as by outcome classes. */
  coverage: boolean;
}

export class FuzzUsageError extends Error {}

export const FUZZ_USAGE = [
  'usage: npm run fuzz -- [--seconds N] [--only TARGET[,TARGET…]] [--seed S] [--json] [--list] [--verbose] [--no-coverage]',
  '  --seconds N   time budget per target (default 60)',
  '  --only        run these targets only (--list names them)',
  '  --seed S      fast-check seed (default: random, printed): the same seed draws the same inputs',
  '  --json        one JSON object as the last line',
  '  --verbose     also list the outcome classes each target reached',
  '  --no-coverage grow the corpus by outcome classes only, without reading code coverage',
].join('\n');

export function parseFuzzArgs(argv: readonly string[], targets: readonly string[]): FuzzOptions {
  const options: FuzzOptions = {
    seconds: 60,
    only: undefined,
    seed: undefined,
    json: false,
    list: false,
    verbose: false,
    coverage: true,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.indexOf('=');
    const name = eq >= 0 ? arg.slice(0, eq) : arg;
    const value = () => {
      const v = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
      if (v === undefined || v === '') throw new FuzzUsageError(`${name} needs a value`);
      return v;
    };
    switch (name) {
      case '--seconds': {
        const seconds = Number(value());
        if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 86_400) {
          throw new FuzzUsageError('--seconds must be a number of seconds above 0');
        }
        options.seconds = seconds;
        break;
      }
      case '--only': {
        const names = value()
          .split(',')
          .map((n) => n.trim())
          .filter((n) => n !== '');
        const unknown = names.filter((n) => !targets.includes(n));
        if (unknown.length > 0) throw new FuzzUsageError(`unknown target(s): ${unknown.join(', ')}`);
        options.only = names;
        break;
      }
      case '--seed': {
        const seed = Number(value());
        if (!Number.isSafeInteger(seed)) throw new FuzzUsageError('--seed must be an integer');
        options.seed = seed;
        break;
      }
      case '--json':
        options.json = true;
        break;
      case '--no-coverage':
        options.coverage = false;
        break;
      case '--verbose':
        options.verbose = true;
        break;
      case '--list':
        options.list = true;
        break;
      default:
        throw new FuzzUsageError(`unknown argument ${name.slice(0, 40)}`);
    }
  }
  return options;
}
