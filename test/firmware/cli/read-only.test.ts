// Commands that only look (status, selftest, config get/list, decode) create no data directory
// and no database: a mistyped --data-dir or $PASSGATE_DATA_DIR is a clear error, not a device
// that looks wiped.
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EXIT } from '../../../firmware/cli/exit-codes.js';
import { ConfigStore } from '../../../firmware/config/store.js';
import { cli, expectBilingual, runMain, tempRoot } from '../../support/cli.js';

let tmp: ReturnType<typeof tempRoot>;
let typo: string;

beforeEach(() => {
  tmp = tempRoot('pg-cli-ro-');
  typo = join(tmp.root, 'passgaet');
});
afterEach(() => tmp.remove());

const LOOKING = [
  ['status'],
  ['status', '--json', '--offline'],
  ['selftest', '--json'],
  ['config', 'list'],
  ['config', 'get', 'gate.showMs'],
  ['config', '--json', 'get', 'gate.showMs'],
];

describe('read-only commands on a data directory that is not there', () => {
  it.each(LOOKING.map((c) => [c.join(' '), c]))(
    '%s: exit 10, says which directory, creates nothing',
    async (_, command) => {
      const r = await cli(typo, ...command);
      expect(r.code).toBe(EXIT.notProvisioned);
      // With --json the same words come as the one JSON error object on stdout.
      const json = command.includes('--json');
      if (!json) expect(r.stdout).toEqual([]);
      else expect(r.stderr).toEqual([]);
      const { zh, en } = json ? JSON.parse(r.stdout[0]).error.message : expectBilingual(r);
      if (json) expect(JSON.parse(r.stdout[0]).error.code).toBe('config.no-database');
      expect(zh).toContain('--data-dir');
      expect(en).toContain('no config database');
      expect(en).toContain(typo);
      expect(existsSync(typo)).toBe(false);
    },
  );

  it('an existing directory without a database: the same error, and no database made in it', async () => {
    mkdirSync(typo);
    for (const command of LOOKING) {
      const r = await cli(typo, ...command);
      expect(r.code, command.join(' ')).toBe(EXIT.notProvisioned);
      expect(readdirSync(typo)).toEqual([]);
    }
  });

  it('from $PASSGATE_DATA_DIR as well', async () => {
    const r = await runMain(['config', 'list'], { PASSGATE_DATA_DIR: typo });
    expect(r.code).toBe(EXIT.notProvisioned);
    expect(existsSync(typo)).toBe(false);
  });

  it('a wrong command line is answered first: usage (2) and unknown key (4) as ever', async () => {
    expect((await cli(typo, 'status', '--frobnicate')).code).toBe(EXIT.usage);
    expect((await cli(typo, 'selftest', 'now')).code).toBe(EXIT.usage);
    expect((await cli(typo, 'config', 'get', 'gate.showMS')).code).toBe(EXIT.unknownKey);
    expect((await cli(typo, 'config', 'list', 'extra')).code).toBe(EXIT.usage);
    expect((await cli(typo, 'decode', join(tmp.root, 'none.png'))).code).toBe(EXIT.imageUnreadable);
    expect(existsSync(typo)).toBe(false);
  });

  it('commands that write still create it: config set', async () => {
    expect((await cli(typo, 'config', 'set', 'gate.showMs', '2600')).code).toBe(EXIT.ok);
    expect((await cli(typo, 'config', 'get', 'gate.showMs')).stdout).toEqual(['2600']);
  });
});

describe('read-only commands on an existing database', () => {
  it('read it and change nothing in it', async () => {
    const store = ConfigStore.open(typo);
    store.set('gate.showMs', 2700);
    store.close();
    const db = join(typo, 'passgate.db');
    const before = { bytes: readFileSync(db), mtime: statSync(db).mtimeMs };
    expect((await cli(typo, 'config', 'get', 'gate.showMs')).stdout).toEqual(['2700']);
    expect((await cli(typo, 'config', 'list')).stdout).toContain('gate.showMs = 2700');
    expect((await cli(typo, 'status', '--offline')).code).toBe(EXIT.notProvisioned);
    expect(readFileSync(db).equals(before.bytes)).toBe(true);
    expect(statSync(db).mtimeMs).toBe(before.mtime);
  });
});
