import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DATABASE_FILE,
  type Db,
  openDatabase,
  SCHEMA_VERSION,
  storageError,
} from '../../../firmware/config/database.js';
import { PassgateError } from '../../../firmware/core/errors.js';
import { codeOf } from '../../support/failures.js';

let root: string;
const opened: Db[] = [];

function open(dir: string, busyMs = 500): { path: string; db: Db } {
  const result = openDatabase(dir, busyMs);
  opened.push(result.db);
  return result;
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'passgate-database-'));
});
afterEach(() => {
  for (const db of opened.splice(0)) if (db.open) db.close();
  rmSync(root, { recursive: true, force: true });
});

describe('openDatabase', () => {
  it('creates the directory 0700 and the database, WAL and SHM files 0600', () => {
    const dir = join(root, 'nested', 'data');
    const { path, db } = open(dir);
    db.prepare('INSERT INTO settings VALUES (?, ?)').run('gate.showMs', '777');
    expect(path).toBe(join(dir, DATABASE_FILE));
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    for (const file of [DATABASE_FILE, `${DATABASE_FILE}-wal`, `${DATABASE_FILE}-shm`]) {
      expect(statSync(join(dir, file)).mode & 0o777, file).toBe(0o600);
    }
  });

  it('opens with WAL, synchronous FULL, the given busy timeout and the current layout', () => {
    const { db } = open(join(root, 'data'), 1234);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(2);
    expect(db.pragma('busy_timeout', { simple: true })).toBe(1234);
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(db.prepare('SELECT count(*) AS n FROM settings').get()).toEqual({ n: 0 });
  });

  it('migrates a version-0 database and leaves its other tables alone', () => {
    const dir = join(root, 'legacy');
    mkdirSync(dir, { mode: 0o700 });
    const legacy = new Database(join(dir, DATABASE_FILE));
    legacy.exec("CREATE TABLE legacy_prefs (name TEXT, val TEXT); INSERT INTO legacy_prefs VALUES ('beep', 'loud')");
    legacy.close();
    chmodSync(join(dir, DATABASE_FILE), 0o600); // SQLite made it 0644; passgate refuses that
    const { db } = open(dir);
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(db.prepare('SELECT count(*) AS n FROM legacy_prefs').get()).toEqual({ n: 1 });
    expect(db.prepare('SELECT count(*) AS n FROM settings').get()).toEqual({ n: 0 });
  });

  it('opening again keeps what is stored', () => {
    const dir = join(root, 'data');
    const first = open(dir).db;
    first.prepare('INSERT INTO settings VALUES (?, ?)').run('gate.showMs', '777');
    first.close();
    expect(open(dir).db.prepare('SELECT value FROM settings').all()).toEqual([{ value: '777' }]);
  });

  it('refuses a database from a newer passgate, without touching it', () => {
    const dir = join(root, 'future');
    open(dir).db.close();
    const db = new Database(join(dir, DATABASE_FILE));
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    try {
      open(dir);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(PassgateError);
      expect((error as PassgateError).code).toBe('config.newer-schema');
      expect((error as PassgateError).message).toMatch(/newer/);
    }
    const check = new Database(join(dir, DATABASE_FILE));
    expect(check.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION + 1);
    check.close();
  });

  it('throws config.storage for a file that is not a database and a data dir that is a file', () => {
    const dir = join(root, 'garbage');
    mkdirSync(dir, { mode: 0o700 });
    writeFileSync(join(dir, DATABASE_FILE), Buffer.alloc(4096, 0x5a), { mode: 0o600 });
    expect(codeOf(() => open(dir))).toBe('config.storage');
    const notDir = join(root, 'file');
    writeFileSync(notDir, 'x');
    expect(codeOf(() => open(notDir))).toBe('config.storage');
  });

  it('names a permission problem as such: a file or directory this user may not use', () => {
    // Root is never refused by file modes, so the errors a technician without sudo meets are made here.
    for (const errno of ['EACCES', 'EPERM']) {
      const cause = Object.assign(new Error(`${errno}: permission denied, open`), { code: errno });
      expect(storageError('open the database', cause).code).toBe('config.permission-denied');
    }
    const readOnly = Object.assign(new Error('attempt to write a readonly database'), { code: 'SQLITE_READONLY' });
    expect(storageError('save', readOnly).code).toBe('config.permission-denied');
    expect(storageError('open the database', Object.assign(new Error('disk I/O'), { code: 'SQLITE_IOERR' })).code).toBe(
      'config.storage',
    );
  });
});
