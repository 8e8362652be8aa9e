// `passgate-mock` keeps the conventions of `passgate`: with --json every failure is one JSON
// object on stdout, {"error":{"code","message":{"zh","en"}}}, with the same exit code as without;
// every help text and every failure is in Chinese and English; commands that print data take --json.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { passgateVersion } from '../../../../firmware/core/version.js';
import { createGmCryptoSuite } from '../../../../portal-client/crypto/gm-suite.js';
import { main } from '../../../../portal-client/mock/cli.js';

const crypto = createGmCryptoSuite();
const CJK = /[\u4e00-\u9fff]/;
let root: string;
let dir: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'pg-mock-json-'));
  dir = join(root, 'mock');
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function run(...argv: string[]): Promise<{ code: number; stdout: string[]; stderr: string[] }> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await main([...argv, '--dir', dir], {
    io: {
      stdout: (l) => stdout.push(...l.split('\n')),
      stderr: (l) => stderr.push(...l.split('\n')),
      untilStopped: () => new Promise(() => undefined),
    },
    crypto,
  });
  return { code, stdout, stderr };
}

const COMMANDS = [
  'serve',
  'residents',
  'issue',
  'idcard',
  'venues',
  'vendors',
  'register-device',
  'vendor',
  'faults',
  'expire-tokens',
  'stats',
];

// Each: the command line, the error code, the exit code.
const FAILURES: Array<[string[], string, number]> = [
  [['frobnicate'], 'usage.unknown-command', 2],
  [['idcard'], 'usage.missing-argument', 2],
  [['idcard', 'red', 'blue'], 'usage.extra-argument', 2],
  [['idcard', 'nobody-at-all'], 'usage.invalid-argument', 2],
  [['issue', 'green', '--ttl-ms', 'soon'], 'usage.invalid-argument', 2],
  [['residents', '--frobnicate'], 'usage.unknown-option', 2],
  [['vendor', 'approve'], 'usage.missing-argument', 2],
  [['register-device', 'WX-1', 'beef'], 'usage.invalid-argument', 2],
  [['expire-tokens'], 'mock.not-running', 3],
  [['faults', 'show'], 'mock.not-running', 3],
  [['venues', '9999999999'], 'mock.not-found', 3],
];

describe('passgate-mock --json failures', () => {
  it.each(FAILURES)('%j: one JSON error object on stdout, the same exit code', async (argv, code, exit) => {
    const text = await run(...argv);
    expect(text.code).toBe(exit);
    expect(text.stderr[0]).toMatch(/^错误: .*[\u4e00-\u9fff]/);
    expect(text.stderr[1]).toMatch(/^error: /);
    const json = await run(...argv, '--json');
    expect(json.code).toBe(exit);
    expect(json.stderr).toEqual([]);
    expect(json.stdout).toHaveLength(1);
    const parsed = JSON.parse(json.stdout[0]);
    expect(Object.keys(parsed)).toEqual(['error']);
    expect(parsed.error.code).toBe(code);
    expect(parsed.error.message.zh).toMatch(CJK);
    expect(parsed.error.message.en).not.toMatch(CJK);
    expect(text.stderr.slice(0, 2)).toEqual([`错误: ${parsed.error.message.zh}`, `error: ${parsed.error.message.en}`]);
  });

  it('no command at all: a usage error, as JSON with --json', async () => {
    const stdout: string[] = [];
    const code = await main(['--json'], {
      io: { stdout: (l) => stdout.push(l), stderr: () => undefined, untilStopped: () => new Promise(() => undefined) },
    });
    expect(code).toBe(2);
    expect(JSON.parse(stdout[0]).error.code).toBe('usage.missing-argument');
  });

  it('commands that print data take --json: idcard, residents, vendors, venues, version', async () => {
    const card = await run('idcard', 'green', '--json');
    expect(card.code).toBe(0);
    expect(JSON.parse(card.stdout[0])).toMatchObject({ cardType: 'resident' });
    for (const name of ['residents', 'vendors', 'venues']) {
      const r = await run(name, '--json');
      expect(r.code, name).toBe(0);
      expect(Array.isArray(JSON.parse(r.stdout.join('\n'))), name).toBe(true);
    }
    const version = await run('version', '--json');
    expect(JSON.parse(version.stdout[0])).toEqual({ version: passgateVersion() });
  });
});

describe('passgate-mock help in both languages', () => {
  it('the overview: every line but the blank ones has Chinese, and English words', async () => {
    const r = await run('--help');
    expect(r.code).toBe(0);
    const lines = r.stdout.filter((l) => l.trim() !== '' && !l.startsWith('  and'));
    for (const line of lines) {
      expect(line, line).toMatch(CJK);
      expect(line, line).toMatch(/[A-Za-z]{2,}/);
    }
  });

  it.each(COMMANDS)('%s --help: usage and summary in both languages, the details in both', async (name) => {
    const r = await run(name, '--help');
    expect(r.code).toBe(0);
    expect(r.stdout[0]).toMatch(/^用法 \/ usage: passgate-mock /);
    const summary = r.stdout.find((l) => / \/ /.test(l) && !l.startsWith('用法') && !l.startsWith('--dir'));
    expect(summary, name).toMatch(CJK);
    const text = r.stdout.join('\n');
    const chinese = r.stdout.filter((l) => CJK.test(l) && !l.includes(' / ')).join('');
    expect(chinese.length, `${name}: a Chinese paragraph`).toBeGreaterThan(20);
    expect(text).toMatch(/--dir +模拟平台的数据目录 \/ the mock's data directory/);
  });
});
