// Where the daemon and the CLI keep their database: one rule for both, so they always agree.
import { resolve } from 'node:path';
import { PassgateError } from '../core/errors.js';

export const DEFAULT_DATA_DIR = '/var/lib/passgate';
export const DATA_DIR_ENV = 'PASSGATE_DATA_DIR';

/**
 * `--data-dir X` or `--data-dir=X` (the last one wins; nothing after `--` counts) beats
 * $PASSGATE_DATA_DIR (ignored when empty) beats /var/lib/passgate. Returns an absolute path.
 * Throws PassgateError 'config.invalid-value' when `--data-dir` has no value.
 */
export function resolveDataDir(argv: readonly string[], env: NodeJS.ProcessEnv): string {
  let fromArgs: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') break;
    let value: string | undefined;
    if (arg === '--data-dir') {
      value = argv[i + 1];
      i++;
    } else if (arg.startsWith('--data-dir=')) {
      value = arg.slice('--data-dir='.length);
    } else {
      continue;
    }
    if (value === undefined || value === '' || value.startsWith('--')) {
      throw new PassgateError('config.invalid-value', '--data-dir needs a directory / --data-dir 需要一个目录', {
        option: '--data-dir',
      });
    }
    fromArgs = value;
  }
  const chosen = fromArgs ?? (env[DATA_DIR_ENV] ? env[DATA_DIR_ENV] : DEFAULT_DATA_DIR);
  return resolve(chosen);
}
