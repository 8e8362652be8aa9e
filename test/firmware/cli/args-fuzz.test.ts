// Random command lines: the argument parser never throws and never echoes what it does not
// recognise, and main() always ends with one of the documented exit codes, writing no stack trace.
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseArgs } from '../../../firmware/cli/args.js';
import { EXIT } from '../../../firmware/cli/exit-codes.js';
import { main } from '../../../firmware/cli/main.js';
import { tempRoot } from '../../support/cli.js';

const KNOWN_EXITS = new Set<number>(Object.values(EXIT));
const COMMANDS = ['config', 'provision', 'bind', 'rebind', 'status', 'decode', 'no-such-command'];

/** Words a command line is made of: real options and keys, and arbitrary text. */
const word = fc.oneof(
  fc.constantFrom(
    '--json',
    '--scan',
    '--force',
    '--offline',
    '--help',
    '--device-id',
    '--portal-url',
    '--app-id',
    '--app-secret-file',
    '--ca-file',
    '--allow-insecure-http',
    '--',
    '--x=',
    '--device-id=',
    'get',
    'set',
    'list',
    'reset',
    'gate.showMs',
    'timeouts',
    'vendor.appSecret',
    '{}',
    '500',
    'https://',
    'http://127.0.0.1:1',
  ),
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 12 }),
);

let tmp: ReturnType<typeof tempRoot>;
beforeAll(() => {
  tmp = tempRoot('pg-cli-fuzz-');
});
afterAll(() => tmp.remove());

describe('CLI argument handling under random input', () => {
  it('parseArgs answers every command line, naming a wrong option only when it looks like one', () => {
    fc.assert(
      fc.property(fc.array(word, { maxLength: 10 }), (args) => {
        const result = parseArgs(args, { values: ['device-id', 'app-id'], flags: ['json', 'force'] });
        if (result.ok) return;
        expect(result.problem.code).toMatch(/^usage\./);
        expect(result.problem.zh).toMatch(/[\u4e00-\u9fff]/);
        const named = /--[a-z][a-z0-9-]*|\(not shown\)/.exec(result.problem.en)?.[0];
        expect(named).toBeDefined();
        expect(named === '(not shown)' || args.some((a) => a.startsWith(named!))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('parseArgs: values, flags, positionals, --, -h and --data-dir', () => {
    const spec = { values: ['device-id'], flags: ['json'] };
    expect(parseArgs(['a', '--device-id', 'X', '--json', '--data-dir', '/d', '--data-dir=/e', 'b'], spec)).toEqual({
      ok: true,
      args: { positional: ['a', 'b'], values: { 'device-id': 'X' }, flags: new Set(['json']) },
    });
    expect(parseArgs(['--device-id=--x', '--', '--json', '-h'], spec)).toEqual({
      ok: true,
      args: { positional: ['--json', '-h'], values: { 'device-id': '--x' }, flags: new Set() },
    });
    expect(parseArgs(['-h'], spec)).toMatchObject({ ok: true, args: { flags: new Set(['help']) } });
    const needsValue = {
      ok: false,
      problem: { code: 'usage.missing-value', zh: '--device-id 需要一个值', en: '--device-id needs a value' },
    };
    expect(parseArgs(['--device-id', '--json'], spec)).toEqual(needsValue);
    expect(parseArgs(['--device-id'], spec)).toEqual(needsValue);
    expect(parseArgs(['--json=1'], spec)).toMatchObject({
      ok: false,
      problem: { code: 'usage.unknown-option', en: expect.stringContaining('--json') },
    });
    const problem = (args: string[]) => {
      const result = parseArgs(args, spec);
      return result.ok ? null : result.problem;
    };
    expect(problem(['--later'])).toEqual({
      code: 'usage.unknown-option',
      zh: '未知选项: --later',
      en: 'unknown option: --later',
    });
    expect(problem(['--Secret\u001b[31m'])).toMatchObject({ en: 'unknown option: (不显示 / not shown)' });
  });

  it('main() ends with a documented exit code for any words after a command', async () => {
    const dataDir = join(tmp.root, 'gate');
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...COMMANDS), fc.array(word, { maxLength: 6 }), async (command, rest) => {
        const lines: string[] = [];
        // --data-dir first: after a generated `--` it would be a positional, and the command would
        // use the machine's own /var/lib/passgate.
        const argv = [
          command,
          '--data-dir',
          dataDir,
          ...rest.filter((w) => w !== '--data-dir' && !w.startsWith('--data-dir=')),
        ];
        if (command === 'status') argv.push('--offline');
        const code = await main(argv, { stdout: (l) => lines.push(l), stderr: (l) => lines.push(l) }, {});
        expect(KNOWN_EXITS.has(code)).toBe(true);
        for (const line of lines) expect(line).not.toMatch(/\n\s+at /); // no stack traces
      }),
      { numRuns: 150 },
    );
  });
});
