import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_DATA_DIR, resolveDataDir } from '../../../firmware/config/data-dir.js';
import { isPassgateError } from '../../../firmware/core/errors.js';

describe('resolveDataDir', () => {
  const env = { PASSGATE_DATA_DIR: '/srv/from-env' };

  it('--data-dir beats the environment, which beats the default', () => {
    expect(resolveDataDir(['config', 'list', '--data-dir', '/tmp/a'], env)).toBe('/tmp/a');
    expect(resolveDataDir(['--data-dir=/tmp/b', 'run'], env)).toBe('/tmp/b');
    expect(resolveDataDir(['run'], env)).toBe('/srv/from-env');
    expect(resolveDataDir(['run'], {})).toBe(DEFAULT_DATA_DIR);
    expect(resolveDataDir([], { PASSGATE_DATA_DIR: '' })).toBe('/var/lib/passgate');
  });

  it('the last --data-dir wins; nothing after -- counts; relative paths become absolute', () => {
    expect(resolveDataDir(['--data-dir', '/a', '--data-dir=/b'], {})).toBe('/b');
    expect(resolveDataDir(['--', '--data-dir', '/a'], env)).toBe('/srv/from-env');
    expect(resolveDataDir(['--data-dir', 'rel/dir'], {})).toBe(resolve('rel/dir'));
  });

  it('a --data-dir without a value is a typed error', () => {
    for (const argv of [['--data-dir'], ['--data-dir='], ['--data-dir', '--json']]) {
      try {
        resolveDataDir(argv, env);
        expect.unreachable();
      } catch (error) {
        expect(isPassgateError(error, 'config.invalid-value')).toBe(true);
      }
    }
  });
});
