import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DATABASE_FILE, SCHEMA_VERSION } from '../../../firmware/config/database.js';
import { CONFIG_KEYS, type ConfigKey, parseValueText } from '../../../firmware/config/schema.js';
import { ConfigStore } from '../../../firmware/config/store.js';
import { PassgateError } from '../../../firmware/core/errors.js';
import { codeOf } from '../../support/failures.js';
import { EVENT_WAIT_MS, until } from '../../support/polling.js';

let root: string;

/**
 * Plain-JS child: takes the write lock of the database at argv[1], says "locked", holds it until
 * told "go" on stdin, then 300 ms more, and commits; it prints when it committed on the system's
 * monotonic clock (process.hrtime, comparable across processes).
 */
const LOCK_HOLDER = `
  const Database = require(${JSON.stringify(createRequire(import.meta.url).resolve('better-sqlite3'))});
  const db = new Database(process.argv[1]);
  db.exec('BEGIN IMMEDIATE');
  db.prepare("INSERT INTO settings VALUES ('gate.queueLimit', '3')").run();
  process.stdout.write('locked\\n');
  process.stdin.once('data', () => {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 300);
    db.exec('COMMIT');
    process.stdout.write('committed ' + process.hrtime.bigint() + '\\n');
    db.close();
    process.exit(0);
  });
`;
const opened: ConfigStore[] = [];

function open(dir = join(root, 'data'), pollMs = 20): ConfigStore {
  const store = ConfigStore.open(dir, { timeouts: { configPollMs: pollMs, configBusyMs: 2000 } });
  opened.push(store);
  return store;
}

function rawDb(dir = join(root, 'data')): Database.Database {
  return new Database(join(dir, DATABASE_FILE));
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'passgate-config-'));
});
afterEach(() => {
  for (const store of opened.splice(0)) store.close();
  rmSync(root, { recursive: true, force: true });
});

describe('ConfigStore basics', () => {
  it('returns defaults for unset keys', () => {
    const store = open();
    expect(store.get('gate.dedupWindowMs')).toBe(3000);
    expect(store.get('gate.busyInput')).toBe('queue');
    expect(store.get('display.pins')).toEqual({ red: 17, green: 27, buzzer: 22, relay: 23 });
    expect(store.get('binding.venueCode')).toBe('');
    expect(store.get('timeouts')).toEqual({});
    expect(store.list().every((e) => e.isDefault)).toBe(true);
  });

  it('keeps values across close and reopen', () => {
    const store = open();
    store.set('gate.showMs', 4500);
    store.set('binding.natValidityHours', 48);
    store.set('display.pins', { red: 1, green: 2, blue: 3, buzzer: 4, relay: 5 });
    store.set('binding.venueName', '测试场所 A');
    store.parseAndSet('portal.allowInsecureHttp', 'yes');
    store.close();
    const again = open();
    expect(again.get('gate.showMs')).toBe(4500);
    expect(again.get('binding.natValidityHours')).toBe(48);
    expect(again.get('display.pins')).toEqual({ red: 1, green: 2, blue: 3, buzzer: 4, relay: 5 });
    expect(again.get('binding.venueName')).toBe('测试场所 A');
    expect(again.get('portal.allowInsecureHttp')).toBe(true);
    const all = again.getAll();
    expect(all['gate.showMs']).toBe(4500);
    expect(all['gate.busyInput']).toBe('queue');
    expect(Object.keys(all).sort()).toEqual([...CONFIG_KEYS].sort());
  });

  it('reset brings a key back to its default', () => {
    const store = open();
    store.set('gate.queueLimit', 5);
    store.reset('gate.queueLimit');
    expect(store.get('gate.queueLimit')).toBe(1);
    expect(store.list().find((e) => e.key === 'gate.queueLimit')!.isDefault).toBe(true);
  });

  it('refuses unknown keys and invalid values with typed errors, storing nothing', () => {
    const store = open();
    expect(codeOf(() => store.set('gate.nope' as ConfigKey, 1 as never))).toBe('config.unknown-key');
    expect(codeOf(() => store.set('gate.showMs', 50))).toBe('config.invalid-value');
    expect(codeOf(() => store.parseAndSet('scan.lastCode', 'x'))).toBe('config.unknown-key');
    expect(codeOf(() => store.parseAndSet('gate.showMs', 'soon'))).toBe('config.invalid-value');
    expect(rawDb().prepare('SELECT count(*) AS n FROM settings').get()).toEqual({ n: 0 });
  });

  it('setMany is all or nothing', () => {
    const store = open();
    store.setMany({ 'gate.showMs': 1000, 'gate.dedupWindowMs': 1000 });
    expect(
      codeOf(() => store.setMany({ 'gate.showMs': 2500, 'gate.dedupWindowMs': 2500, 'gate.queueLimit': 99 })),
    ).toBe('config.invalid-value');
    expect(codeOf(() => store.setMany({ 'gate.showMs': 2500, ['no.such' as ConfigKey]: 1 }))).toBe(
      'config.unknown-key',
    );
    expect(store.get('gate.showMs')).toBe(1000);
    expect(store.get('gate.dedupWindowMs')).toBe(1000);
    expect(store.get('gate.queueLimit')).toBe(1);
  });

  it('setMany rolls back when the database fails mid-transaction', () => {
    const store = open();
    store.set('gate.showMs', 1000);
    // A trigger standing in for a disk error on the second row of the transaction.
    const db = rawDb();
    db.exec(`CREATE TRIGGER fail_second BEFORE INSERT ON settings WHEN NEW.key = 'gate.queueLimit'
             BEGIN SELECT RAISE(ABORT, 'simulated write failure'); END`);
    db.close();
    expect(codeOf(() => store.setMany({ 'gate.showMs': 2500, 'gate.queueLimit': 3 }))).toBe('config.storage');
    expect(store.get('gate.showMs')).toBe(1000);
  });

  it('masks secrets in list and never returns the text outside get', () => {
    const store = open();
    expect(store.list().find((e) => e.key === 'vendor.appSecret')).toMatchObject({
      value: '(unset)',
      json: '(unset)',
      secret: true,
    });
    store.set('vendor.appSecret', 'synthetic-secret-123');
    const listed = JSON.stringify(store.list());
    expect(listed).not.toContain('synthetic-secret-123');
    expect(store.list().find((e) => e.key === 'vendor.appSecret')).toMatchObject({ value: '(set)', json: '(set)' });
    // The daemon still needs the real secret.
    expect(store.get('vendor.appSecret')).toBe('synthetic-secret-123');
  });

  it('uses WAL with synchronous FULL and the configured busy timeout', () => {
    const store = open();
    expect(store.storageInfo()).toEqual({
      path: join(root, 'data', DATABASE_FILE),
      schemaVersion: SCHEMA_VERSION,
      journalMode: 'wal',
      synchronous: 'full',
      busyTimeoutMs: 2000,
      watching: false,
    });
    // WAL is recorded in the file: a plain connection sees it too.
    const db = rawDb();
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  it("a writer waits (busy timeout) for another process's transaction instead of failing", async () => {
    // A busy timeout far beyond the holder's 300 ms: how long the holder then takes to commit on a
    // loaded machine is not the question, only that the write waits for it.
    const store = ConfigStore.open(join(root, 'data'), { timeouts: { configBusyMs: 30_000 } });
    opened.push(store);
    const quick = ConfigStore.open(join(root, 'data'), { timeouts: { configBusyMs: 0 } });
    opened.push(quick);
    // Another process takes the write lock and writes; it commits when the test says.
    const holder = spawn(process.execPath, ['-e', LOCK_HOLDER, store.path], { stdio: ['pipe', 'pipe', 'inherit'] });
    let output = '';
    holder.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
    const exited = new Promise((resolve) => holder.once('exit', resolve));
    await until(() => output.includes('locked\n'), undefined, 'the holder to take the lock');
    expect(codeOf(() => quick.set('gate.showMs', 300))).toBe('config.storage');
    holder.stdin.write('go\n'); // it commits 300 ms after it reads this
    const started = process.hrtime.bigint();
    store.set('gate.showMs', 300); // blocks in SQLite's busy handler until the holder commits
    expect(store.get('gate.queueLimit')).toBe(3);
    expect(store.get('gate.showMs')).toBe(300);
    await exited;
    // The write was issued while the other transaction still held the lock, and went through.
    const committed = /committed (\d+)/.exec(output);
    expect(committed).not.toBeNull();
    expect(BigInt(committed![1])).toBeGreaterThan(started);
  });

  it('throws config.storage after close, and when the database cannot be opened', () => {
    const store = open();
    store.close();
    expect(codeOf(() => store.get('gate.showMs'))).toBe('config.storage');
    store.close(); // idempotent
    const notDir = join(root, 'file');
    writeFileSync(notDir, 'x');
    expect(codeOf(() => ConfigStore.open(notDir))).toBe('config.storage');
  });
});

describe('ConfigStore.parseAndSet with random input', () => {
  it('throws nothing but PassgateError, and whatever it accepts reads back equal', () => {
    const store = open();
    const anyKey = fc.oneof(fc.constantFrom(...CONFIG_KEYS), fc.string({ maxLength: 30 }));
    const anyText = fc.oneof(
      fc.string({ maxLength: 120 }),
      fc.string({ unit: 'binary', maxLength: 120 }),
      fc.json({ maxDepth: 2 }),
      fc.integer({ min: -10, max: 70_000 }).map(String),
    );
    let accepted = 0;
    fc.assert(
      fc.property(anyKey, anyText, (key, text) => {
        let stored: ConfigKey;
        try {
          stored = store.parseAndSet(key, text);
        } catch (error) {
          if (!(error instanceof PassgateError)) throw error;
          return;
        }
        accepted++;
        expect(store.get(stored)).toEqual(parseValueText(stored, text));
      }),
      { numRuns: 400 },
    );
    expect(accepted).toBeGreaterThan(10);
    expect(store.list().filter((e) => e.storedInvalid)).toEqual([]);
  });
});

describe('ConfigStore stored rows', () => {
  it('ignores keys of an older schema and values a newer rule refuses', () => {
    const store = open();
    const db = rawDb();
    db.exec(`INSERT INTO settings VALUES
      ('gate.oldKnob', '5'), ('gate.showMs', '50'), ('gate.queueLimit', 'not json')`);
    db.close();
    expect(store.get('gate.showMs')).toBe(2000);
    expect(store.get('gate.queueLimit')).toBe(1);
    const entry = store.list().find((e) => e.key === 'gate.showMs')!;
    expect(entry).toMatchObject({ isDefault: true, storedInvalid: true });
    expect(store.list().map((e) => e.key)).not.toContain('gate.oldKnob');
  });
});

describe('ConfigStore change events', () => {
  /**
   * For "no event" checks: waits until a control store, watching another database at the same
   * poll interval (20 ms), has noticed `n` changes made one after the other from now on. Node runs
   * due timers of equal duration in the order they were set, so by then the poll timer of any
   * store watching at that interval has fired at least n − 1 times: had the store under test been
   * watching, it would have seen its change, however slowly the machine runs.
   */
  async function watchTicks(n: number): Promise<void> {
    const dir = join(root, 'control');
    const control = open(dir);
    const writer = open(dir);
    let noticed = 0;
    control.onChange(() => noticed++);
    control.watch();
    for (let i = 1; i <= n; i++) {
      writer.set('gate.queueLimit', i + 1);
      await until(() => noticed >= i, undefined, 'the control store to notice a change');
    }
    control.close();
    writer.close();
  }

  it('a second connection writes; the first reports exactly the changed keys', async () => {
    const daemon = open();
    const cli = open();
    const seen: ConfigKey[][] = [];
    daemon.onChange((keys) => seen.push(keys));
    daemon.watch();
    cli.setMany({ 'gate.showMs': 5000, 'binding.venueCode': 'V-001', 'gate.busyInput': 'queue' /* unchanged */ });
    await vi.waitFor(() => expect(seen).toHaveLength(1), { timeout: EVENT_WAIT_MS, interval: 10 });
    expect([...seen[0]].sort()).toEqual(['binding.venueCode', 'gate.showMs']);
    expect(daemon.get('gate.showMs')).toBe(5000);

    // Writing the same value again changes nothing: no event.
    cli.set('gate.showMs', 5000);
    cli.reset('gate.dedupWindowMs');
    cli.set('timeouts', { verifyDeadlineMs: 2000 });
    await vi.waitFor(() => expect(seen).toHaveLength(2), { timeout: EVENT_WAIT_MS, interval: 10 });
    expect(seen[1]).toEqual(['timeouts']);

    daemon.unwatch();
    cli.set('gate.queueLimit', 4);
    await watchTicks(2); // a store still watching would have seen it by now
    expect(seen).toHaveLength(2);
    daemon.poll(); // an explicit poll still catches up
    expect(seen[2]).toEqual(['gate.queueLimit']);
  });

  it('reports its own writes at once, and a throwing listener does not stop others', () => {
    const store = open();
    const errors: string[] = [];
    const seen: ConfigKey[][] = [];
    store.onError((e) => errors.push(e.code));
    store.onChange(() => {
      throw new Error('listener bug');
    });
    const off = store.onChange((keys) => seen.push(keys));
    store.set('drivers.serial.enabled', true);
    expect(seen).toEqual([['drivers.serial.enabled']]);
    expect(errors).toEqual(['config.storage']);
    off();
    store.set('drivers.serial.enabled', false);
    expect(seen).toHaveLength(1);
  });

  it('does not poll unless watching, and close stops the timer', async () => {
    const daemon = open();
    const cli = open();
    const seen: ConfigKey[][] = [];
    daemon.onChange((keys) => seen.push(keys));
    cli.set('gate.showMs', 900);
    await watchTicks(2); // a store watching would have seen it by now
    expect(seen).toEqual([]);
    daemon.watch();
    daemon.watch(); // idempotent
    await vi.waitFor(() => expect(seen).toEqual([['gate.showMs']]), { timeout: EVENT_WAIT_MS, interval: 10 });
    daemon.close();
    cli.set('gate.showMs', 901);
    await watchTicks(2);
    expect(seen).toHaveLength(1);
  });
});
