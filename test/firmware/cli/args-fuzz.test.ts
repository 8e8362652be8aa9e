// Random command lines: the argument parser throws nothing but PassgateError, and main() always
// ends with one of the documented exit codes, writing no stack trace.
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseArgs } from '../../../firmware/cli/args.js';
import { EXIT } from '../../../firmware/cli/failures.js';
import { main } from '../../../firmware/cli/main.js';
import { CONFIG_EXIT } from '../../../firmware/cli/config-command.js';
import { isPassgateError } from '../../../firmware/core/errors.js';
import { tempRoot } from './cli-rig.js';

const KNOWN_EXITS = new Set<number>([...Object.values(EXIT), ...Object.values(CONFIG_EXIT)]);

/** Words a command line is made of: real options and keys, and arbitrary text. */
const word = fc.oneof(
  fc.constantFrom('--json', '--scan', '--force', '--offline', '--help', '--device-id', '--portal-url', '--app-id', '--app-secret',
    '--ca-file', '--allow-insecure-http', '--', '--x=', '--device-id=', 'get', 'set', 'list', 'reset', 'gate.showMs', 'timeouts',
    'vendor.appSecret', '{}', '500', 'https://', 'http://127.0.0.1:1'),
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 12 }),
);

let tmp: ReturnType<typeof tempRoot>;
beforeAll(() => {
  tmp = tempRoot('pg-cli-fuzz-');
});
afterAll(() => tmp.remove());

describe('CLI argument handling under random input', () => {
  it('parseArgs throws only PassgateError', () => {
    fc.assert(
      fc.property(fc.array(word, { maxLength: 10 }), (args) => {
        try {
          parseArgs(args, ['device-id', 'app-id'], ['json', 'force']);
        } catch (error) {
          expect(isPassgateError(error, 'config.invalid-value')).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('main() ends with a documented exit code for any words after a command', async () => {
    const dataDir = join(tmp.root, 'gate');
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('config', 'provision', 'bind', 'rebind', 'status', 'no-such-command'), fc.array(word, { maxLength: 6 }), async (command, rest) => {
        const lines: string[] = [];
        const argv = [command, ...rest.filter((w) => w !== '--data-dir' && !w.startsWith('--data-dir=')), '--data-dir', dataDir];
        if (command === 'status') argv.push('--offline');
        const code = await main(argv, { stdout: (l) => lines.push(l), stderr: (l) => lines.push(l) }, {});
        expect(KNOWN_EXITS.has(code)).toBe(true);
        for (const line of lines) expect(line).not.toMatch(/\n\s+at /); // no stack traces
      }),
      { numRuns: 150 },
    );
  });
});
