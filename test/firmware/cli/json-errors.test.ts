// `--json` everywhere, errors included: with --json every failure of every command prints exactly
// one JSON object on stdout, {"error":{"code","message":{"zh","en"}}}, nothing on stderr, and
// ends with the same exit code as without --json.
import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EXIT } from '../../../firmware/cli/exit-codes.js';
import { ConfigStore } from '../../../firmware/config/store.js';
import { passgateVersion } from '../../../firmware/core/version.js';
import { CHILD_TEST_MS, type CliResult, runBin, runMain, tempRoot } from '../../support/cli.js';

let tmp: ReturnType<typeof tempRoot>;
let dataDir: string;

beforeEach(() => {
  tmp = tempRoot('pg-cli-json-');
  dataDir = join(tmp.root, 'gate');
});
afterEach(() => tmp.remove());

const CJK = /[\u4e00-\u9fff]/;

/** The one error object `r` printed; fails unless stdout holds exactly that and stderr nothing. */
function onlyError(r: CliResult): { code: string; message: { zh: string; en: string } } {
  expect(r.stderr).toEqual([]);
  expect(r.stdout).toHaveLength(1);
  const parsed = JSON.parse(r.stdout[0]);
  expect(Object.keys(parsed)).toEqual(['error']);
  expect(Object.keys(parsed.error)).toEqual(['code', 'message']);
  expect(Object.keys(parsed.error.message)).toEqual(['zh', 'en']);
  expect(parsed.error.message.zh).toMatch(CJK);
  expect(parsed.error.message.en).toMatch(/[a-z]/);
  expect(parsed.error.message.en).not.toMatch(CJK);
  return parsed.error;
}

// Each: the command line (with --data-dir added), the error code and exit code it ends with.
const FAILURES: Array<[string, string[], string, number]> = [
  ['no command', [], 'usage.missing-argument', EXIT.usage],
  ['an unknown command', ['stauts'], 'usage.unknown-command', EXIT.usage],
  ['an unknown help topic', ['help', 'exit-code'], 'usage.unknown-command', EXIT.usage],
  ['an unknown option', ['status', '--ofline'], 'usage.unknown-option', EXIT.usage],
  ['an option run does not take', ['run', '--force'], 'usage.unknown-option', EXIT.usage],
  ['an extra argument', ['status', 'foo'], 'usage.extra-argument', EXIT.usage],
  ['an option without its value', ['provision', '--device-id'], 'usage.missing-value', EXIT.usage],
  ['missing provision options', ['provision', '--device-id', 'X'], 'usage.missing-argument', EXIT.usage],
  ['bind without a venue code', ['bind'], 'usage.missing-argument', EXIT.usage],
  ['decode without a file', ['decode'], 'usage.missing-argument', EXIT.usage],
  ['config without a subcommand', ['config'], 'usage.missing-argument', EXIT.usage],
  ['an unknown config subcommand', ['config', 'lsit'], 'usage.unknown-command', EXIT.usage],
  ['config set of a key provision owns', ['config', 'set', 'portal.url', 'x'], 'usage.owned-key', EXIT.usage],
  ['an unknown config key', ['config', 'get', 'gate.nope'], 'config.unknown-key', EXIT.unknownKey],
  ['an invalid config value', ['config', 'set', 'gate.showMs', 'soon'], 'config.invalid-value', EXIT.invalidValue],
  ['bind before provision', ['bind', '3202000001'], 'config.not-provisioned', EXIT.notProvisioned],
  [
    'an http portal without the dev flag',
    [
      'provision',
      '--device-id',
      'X',
      '--portal-url',
      'http://portal.example',
      '--portal-public-key',
      `04${'1'.repeat(128)}`,
      '--app-id',
      'a',
      '--app-secret-file',
      '/nonexistent',
    ],
    'portal.insecure-url',
    EXIT.usage,
  ],
];

describe('passgate --json: every failure is one JSON error object on stdout', () => {
  it.each(FAILURES)('%s', async (_, argv, code, exit) => {
    const text = await runMain([...argv, '--data-dir', dataDir]);
    expect(text.code).toBe(exit);
    expect(text.stderr.length).toBeGreaterThan(0);
    const json = await runMain([...argv, '--json', '--data-dir', dataDir]);
    expect(json.code).toBe(exit);
    const error = onlyError(json);
    expect(error.code).toBe(code);
    // The same words as the text form, which prints them as 错误: … / error: ….
    expect(text.stderr).toContain(`错误: ${error.message.zh}`);
    expect(text.stderr).toContain(`error: ${error.message.en}`);
  });

  it('--data-dir without a directory', async () => {
    const r = await runMain(['status', '--data-dir', '--json']);
    expect(r.code).toBe(EXIT.usage);
    expect(onlyError(r).code).toBe('usage.missing-value');
  });

  it('a database of a newer passgate: its own code and words, exit 5 (storage)', async () => {
    ConfigStore.open(dataDir).close();
    const db = new Database(join(dataDir, 'passgate.db'));
    db.pragma('user_version = 999');
    db.close();
    const r = await runMain(['config', 'list', '--json', '--data-dir', dataDir]);
    expect(r.code).toBe(EXIT.storage);
    const error = onlyError(r);
    expect(error.code).toBe('config.newer-schema');
    expect(error.message.zh).toContain('更新版本');
    expect(error.message.en).toContain('newer passgate version');
    const text = await runMain(['status', '--data-dir', dataDir]);
    expect(text.code).toBe(EXIT.storage);
    expect(text.stderr.join('\n')).not.toContain('操作失败');
  });

  it('a data directory others may write: its own code and words, exit 5 (storage)', async () => {
    ConfigStore.open(dataDir).close();
    chmodSync(dataDir, 0o777);
    const r = await runMain(['status', '--json', '--data-dir', dataDir]);
    expect(r.code).toBe(EXIT.storage);
    const error = onlyError(r);
    expect(error.code).toBe('config.untrusted-path');
    expect(error.message.en).toContain('writable by another user');
  });

  it('status --json that cannot verify: one object, the status and the error beside it', async () => {
    ConfigStore.open(dataDir).close();
    const r = await runMain(['status', '--json', '--data-dir', dataDir]);
    expect(r.code).toBe(EXIT.notProvisioned);
    expect(r.stdout).toHaveLength(1);
    const s = JSON.parse(r.stdout[0]);
    expect(s.canVerify).toBe(false);
    expect(s.error.code).toBe('config.not-provisioned');
    expect(s.error.message.zh).toMatch(CJK);
  });

  it('data is JSON too: version, config set and reset', async () => {
    expect(await runMain(['version', '--json'])).toEqual({
      code: 0,
      stdout: [JSON.stringify({ version: passgateVersion() })],
      stderr: [],
    });
    const set = await runMain(['config', 'set', 'gate.showMs', '2500', '--json', '--data-dir', dataDir]);
    expect(set.code).toBe(0);
    expect(JSON.parse(set.stdout[0])).toEqual([{ key: 'gate.showMs', value: 2500, isDefault: false }]);
    const reset = await runMain(['config', 'reset', 'gate.showMs', '--json', '--data-dir', dataDir]);
    expect(JSON.parse(reset.stdout[0])).toEqual([{ key: 'gate.showMs', value: expect.any(Number), isDefault: true }]);
  });

  it(
    'the installed program: stdout holds the one object, stderr nothing',
    async () => {
      const r = await runBin('passgate', ['frobnicate', '--json', '--data-dir', dataDir]);
      expect(r.code).toBe(EXIT.usage);
      expect(r.stderr).toBe('');
      expect(JSON.parse(r.stdout).error.code).toBe('usage.unknown-command');
    },
    CHILD_TEST_MS,
  );
});
