// `passgate run` as systemd runs it, when it cannot start: every failed start logs its cause (the
// error code and its message), closes what it opened, and exits 70 by itself, so the service
// manager restarts it. A second daemon on the same data directory never touches a device.
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EXIT } from '../../../firmware/cli/exit-codes.js';
import { ConfigStore } from '../../../firmware/config/store.js';
import { CONTROL_SOCKET_FILE } from '../../../firmware/daemon/control-socket.js';
import { type BinResult, cli, runBin, spawnBin, tempRoot } from '../../support/cli.js';

let tmp: ReturnType<typeof tempRoot>;
let dataDir: string;
beforeEach(() => {
  tmp = tempRoot('pg-start-');
  dataDir = join(tmp.root, 'gate');
});
afterEach(() => tmp.remove());

/** `passgate run`, which must end by itself; a run still alive after 20 s is killed (code null). */
const run = (dir = dataDir) => runBin('passgate', ['run', '--data-dir', dir]);

function logLines(result: BinResult): Array<Record<string, unknown>> {
  return result.stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** Runs the daemon, which must exit 70 by itself; the one line that says why the start failed. */
async function failedStart(dir = dataDir): Promise<Record<string, unknown>> {
  const result = await run(dir);
  expect(result.code, result.stdout).toBe(EXIT.crashed);
  const failures = logLines(result).filter((l) => l.event === 'start-failed');
  expect(failures, result.stdout).toHaveLength(1);
  expect(failures[0].level).toBe('error');
  return failures[0];
}

/** A database as an older release (or something else) could have left it, written around the store. */
function rewriteDatabase(work: (db: Database.Database) => void): void {
  ConfigStore.open(dataDir).close();
  const db = new Database(join(dataDir, 'passgate.db'));
  try {
    work(db);
  } finally {
    db.close();
  }
}

describe('passgate run: a start that fails exits 70 and logs why', () => {
  it('a database that is not SQLite', async () => {
    mkdirSync(dataDir, { mode: 0o700 });
    writeFileSync(join(dataDir, 'passgate.db'), 'not a database, just text that fills a page '.repeat(200), {
      mode: 0o600,
    });
    const failure = await failedStart();
    expect(failure.code).toBe('config.storage');
    expect(String(failure.message)).toMatch(/config database: could not open the database/);
  });

  it('a database of a newer passgate', async () => {
    rewriteDatabase((db) => db.pragma('user_version = 99'));
    const failure = await failedStart();
    expect(failure.code).toBe('config.newer-schema');
    expect(String(failure.message)).toContain('newer than this passgate knows');
  });

  it('a data directory whose control socket path would not fit a unix socket address (108 bytes)', async () => {
    // 120 bytes of socket path: Node would silently bind a truncated name instead.
    const longDir = join(tmp.root, 'd'.repeat(120 - tmp.root.length - CONTROL_SOCKET_FILE.length - 2));
    expect(Buffer.byteLength(join(longDir, CONTROL_SOCKET_FILE))).toBe(120);
    ConfigStore.open(longDir).close();
    const failure = await failedStart(longDir);
    expect(failure.code).toBe('daemon.socket-path-too-long');
    expect(String(failure.message)).toContain('107 bytes');
    // Nothing bound under a truncated name; nothing taken at all.
    expect(readdirSync(longDir).filter((name) => !name.startsWith('passgate.db'))).toEqual([]);
  });

  it('display settings stored by an older release that the display backend refuses', async () => {
    // As a release without the check across display settings could have left them.
    rewriteDatabase((db) => {
      db.prepare('INSERT INTO settings (key, value) VALUES (?, ?)').run('display.backend', '"serial-board"');
    });
    const failure = await failedStart();
    expect(failure.code).toBe('config.invalid-value');
    expect(String(failure.message)).toContain('display.serialPath');
  });
});

describe('passgate run: one daemon per data directory', () => {
  it('a second daemon exits 70 before it opens any device; the first keeps its socket and stops cleanly', async () => {
    const set = await cli(
      dataDir,
      'config',
      'set',
      'display.backend',
      'none',
      'drivers.serial.enabled',
      'true',
      'drivers.serial.path',
      join(tmp.root, 'no-such-scanner'),
    );
    expect(set.code, set.stderr.join('\n')).toBe(0);
    const first = spawnBin('passgate', ['run', '--data-dir', dataDir]);
    try {
      await first.until((stdout) => stdout.includes('"event":"ready"'), 'the first daemon ready');
      const second = await run();
      expect(second.code).toBe(EXIT.crashed);
      const events = logLines(second).map((l) => l.event);
      expect(logLines(second).find((l) => l.event === 'start-failed')?.code).toBe('daemon.already-running');
      expect(events).not.toContain('driver-state');
      expect(events).not.toContain('ready');
      const status = await runBin('passgate', ['status', '--json', '--offline', '--data-dir', dataDir]);
      expect(JSON.parse(status.stdout).daemon).toMatchObject({ running: true, pid: first.child.pid });
    } finally {
      first.child.kill('SIGTERM');
    }
    const end = await first.exited;
    expect(end.code).toBe(EXIT.ok);
    expect(readdirSync(dataDir)).not.toContain(CONTROL_SOCKET_FILE);
  });
});
