// The conventions every `passgate` command keeps, so a tired technician cannot misuse one:
// -h/--help everywhere, a mistyped command or option answered with the nearest real one, and
// extra arguments refused with exit 2 rather than silently ignored.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EXIT } from '../../../firmware/cli/exit-codes.js';
import { editDistance, nearestName } from '../../../firmware/cli/nearest.js';
import { cli, tempRoot } from '../../support/cli.js';

let tmp: ReturnType<typeof tempRoot>;
let dataDir: string;

beforeEach(() => {
  tmp = tempRoot('pg-cli-conv-');
  dataDir = join(tmp.root, 'gate');
});
afterEach(() => tmp.remove());

const COMMANDS = ['provision', 'bind', 'rebind', 'status', 'selftest', 'config', 'decode', 'run'];

describe('-h and --help', () => {
  it.each(COMMANDS)('%s: -h and --help print its usage on stdout and exit 0', async (command) => {
    for (const flag of ['-h', '--help']) {
      const r = await cli(dataDir, command, flag);
      expect(r.code, `${command} ${flag}`).toBe(EXIT.ok);
      expect(r.stdout.join('\n'), `${command} ${flag}`).toContain(`passgate ${command}`);
      expect(r.stderr).toEqual([]);
    }
  });
});

describe('did you mean', () => {
  it('counts a swap of two neighbours as one slip, and suggests only a near name', () => {
    expect(editDistance('stauts', 'status')).toBe(1);
    expect(editDistance('scna', 'scan')).toBe(1);
    expect(nearestName('stauts', COMMANDS)).toBe('status');
    expect(nearestName('x', ['json'])).toBeUndefined();
    expect(nearestName('frobnicate', COMMANDS)).toBeUndefined();
  });

  it('an unknown option: exit 2, the nearest option in both languages', async () => {
    const r = await cli(dataDir, 'bind', '--scna');
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr.slice(0, 2)).toEqual([
      '错误: 未知选项: --scna，您是否想输入 --scan？',
      'error: unknown option: --scna; did you mean --scan?',
    ]);
    const status = await cli(dataDir, 'status', '--ofline');
    expect(status.stderr[1]).toContain('did you mean --offline?');
  });

  it('an unknown command: exit 2, the nearest command, and no data directory made', async () => {
    const r = await cli(dataDir, 'stauts');
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr.slice(0, 2)).toEqual([
      '错误: 未知命令: stauts，您是否想输入 status？',
      'error: unknown command: stauts; did you mean status?',
    ]);
    expect(existsSync(dataDir)).toBe(false);
  });

  it('an unknown config subcommand: exit 2, the nearest subcommand', async () => {
    const r = await cli(dataDir, 'config', 'lsit');
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr[0]).toContain('您是否想输入 list？');
    expect(r.stderr[1]).toContain('did you mean list?');
  });

  it('an option far from every real one gets no suggestion', async () => {
    const r = await cli(dataDir, 'status', '--frobnicate');
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr.slice(0, 2)).toEqual(['错误: 未知选项: --frobnicate', 'error: unknown option: --frobnicate']);
  });
});

describe('extra arguments', () => {
  it.each([
    ['status', 'foo'],
    ['run', 'bogus'],
    ['selftest', 'now'],
    ['bind', 'A', 'B'],
    ['provision', 'extra'],
  ])('`%s %s …` is refused with exit 2, the extra words not echoed', async (...argv) => {
    const r = await cli(dataDir, ...argv);
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr.slice(0, 2)).toEqual([
      '错误: 多余的参数 1 个（不显示）',
      'error: 1 unexpected argument (not shown)',
    ]);
    expect(r.stderr.join('\n')).not.toContain(argv[argv.length - 1] === 'B' ? ' B' : argv[1]);
    expect(r.stderr.some((l) => l.startsWith('用法 / usage'))).toBe(true);
  });

  it('--help still wins over an extra word', async () => {
    expect((await cli(dataDir, 'status', 'foo', '--help')).code).toBe(EXIT.ok);
  });
});

describe('config set and reset refuse the keys provision and bind own', () => {
  it.each([
    ['identity.deviceId', 'X', 'passgate provision'],
    ['portal.url', 'https://x.example', 'passgate provision'],
    ['vendor.appId', 'x', 'passgate provision'],
    ['binding.venueCode', 'x', 'passgate bind'],
  ])('config set %s: exit 2, names the right command, nothing saved', async (key, value, owner) => {
    const r = await cli(dataDir, 'config', 'set', 'gate.showMs', '2500', key, value);
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr[0]).toContain(owner);
    expect(r.stderr[0]).toMatch(/[\u4e00-\u9fff]/);
    expect(r.stderr[1]).toContain(owner);
    expect(r.stderr.join('\n')).not.toContain(` ${value} `);
    expect((await cli(dataDir, 'config', 'get', 'gate.showMs')).stdout).not.toEqual(['2500']);
    expect((await cli(dataDir, 'config', 'reset', key)).code).toBe(EXIT.usage);
  });
});
