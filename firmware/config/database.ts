// Opening the config database, `<dataDir>/passgate.db`: its directory and file modes, its
// durability settings, and the migrations that bring it to the current layout. store.ts reads and
// writes settings on what this opens.
//
// Durability: journal_mode=WAL with synchronous=FULL. WAL lets the daemon read while the CLI
// writes (readers never wait for a writer), and a transaction is atomic across a crash or power
// cut: after a cut the database holds either all of a setMany or none of it. FULL (rather than
// WAL's usual NORMAL) also fsyncs the log at every commit, so a setting the CLI reported as
// saved survives a power cut that follows a moment later; config writes are rare, so the fsync
// costs nothing that matters. (DELETE journal + FULL would be as safe but blocks readers during a
// write.)
import { chmodSync, closeSync, lstatSync, mkdirSync, openSync, type Stats } from 'node:fs';
import { resolve } from 'node:path';
import Database from 'better-sqlite3';
import { isPassgateError, PassgateError } from '../core/errors.js';
import {
  describeTrustProblem,
  trustedOwners,
  trustProblem,
  UNTRUSTED_DIRECTORY_BITS,
  UNTRUSTED_SECRET_FILE_BITS,
} from '../core/path-trust.js';

export const DATABASE_FILE = 'passgate.db';

export type Db = Database.Database;

/**
 * Forward-only migrations: entry i brings the database from user_version i to i + 1. Never edit
 * or reorder a released entry; append a new one. Each runs in the same transaction as the
 * user_version bump, so a crash leaves the database at the old version or the new one.
 */
export const MIGRATIONS: readonly ((db: Db) => void)[] = [
  // 1: one row per key that was ever set; the value is the JSON text of the typed value.
  (db) => {
    db.exec('CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)');
  },
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** A failure of the database as PassgateError 'config.storage' (an existing PassgateError as it is). */
export function storageError(action: string, cause: unknown): PassgateError {
  if (isPassgateError(cause)) return cause;
  // SQLite's messages name files and constraints, never values (we bind every value).
  const sqliteCode = typeof cause === 'object' && cause !== null && 'code' in cause ? String(cause.code) : undefined;
  const detail = cause instanceof Error ? `: ${cause.message}` : '';
  const message = `config database: could not ${action}${detail}`;
  // Not this user's to open (a technician without sudo, or a service user on root's files).
  const denied = sqliteCode === 'EACCES' || sqliteCode === 'EPERM' || sqliteCode === 'SQLITE_READONLY';
  return new PassgateError(denied ? 'config.permission-denied' : 'config.storage', message, { sqliteCode }, { cause });
}

/**
 * Opens (creating if needed, unless `mode` is 'read-only') `<dataDir>/passgate.db` and brings it
 * to SCHEMA_VERSION. Waits up
 * to `busyMs` for another process, here and in every later statement. Throws PassgateError
 * 'config.storage' when the directory or file cannot be used or the file is not a database;
 * 'config.permission-denied' when this user may not use them; 'config.newer-schema' when it was
 * written by a newer passgate; 'config.untrusted-path' when an existing directory or database
 * is owned by an untrusted user or writable by others (firmware/core/path-trust.ts).
 */
export function openDatabase(
  dataDir: string,
  busyMs: number,
  owners: ReadonlySet<number> = trustedOwners(),
  mode: OpenMode = 'create',
): { path: string; db: Db } {
  const path = resolve(dataDir, DATABASE_FILE);
  const deadline = Date.now() + busyMs;
  for (let attempt = 0; ; attempt++) {
    let db: Db | undefined;
    try {
      if (mode === 'read-only') {
        db = openExistingReadOnly(dataDir, path, busyMs, owners);
        if (db) return { path, db };
        // Older than this passgate: migrating an existing database creates nothing new.
      }
      ensureDataDir(dataDir, owners);
      ensureDatabaseFile(path, owners);
      db = new Database(path, { timeout: busyMs });
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      migrate(db);
      return { path, db };
    } catch (error) {
      db?.close();
      // While another process recovers the WAL of a writer that died (power cut, kill -9),
      // SQLite answers SQLITE_BUSY at open without consulting the busy timeout: retry.
      if (isBusy(error) && Date.now() < deadline) {
        sleepSync(Math.min(20 * 2 ** attempt, 200));
        continue;
      }
      throw storageError('open the database', error);
    }
  }
}

/**
 * How a command opens the database: 'create' makes the directory and the file when missing (the
 * daemon, and commands that write); 'read-only' only opens what exists and writes nothing, so a
 * mistyped --data-dir of `status` or `config list` does not leave an empty device behind.
 */
export type OpenMode = 'create' | 'read-only';

/**
 * The existing database, opened read-only; undefined when its schema is older than this
 * passgate's (the caller migrates it). Throws 'config.no-database' when the directory or the file
 * is missing, and what ensureDataDir / ensureDatabaseFile throw for one that cannot be trusted.
 */
function openExistingReadOnly(
  dataDir: string,
  path: string,
  busyMs: number,
  owners: ReadonlySet<number>,
): Db | undefined {
  const dirStat = statIfAny(dataDir);
  const fileStat = dirStat?.isDirectory() ? statIfAny(path) : undefined;
  if (!dirStat || (dirStat.isDirectory() && !fileStat)) {
    throw new PassgateError(
      'config.no-database',
      `no config database in ${dataDir} (${dirStat ? 'the directory holds none' : 'no such directory'})`,
      { path: dataDir },
    );
  }
  ensureDataDir(dataDir, owners); // exists: checks only
  ensureDatabaseFile(path, owners, false);
  const db = new Database(path, { readonly: true, fileMustExist: true, timeout: busyMs });
  try {
    const version = db.pragma('user_version', { simple: true }) as number;
    checkSchemaVersion(version);
    if (version === SCHEMA_VERSION) return db;
  } catch (error) {
    db.close();
    throw error;
  }
  db.close();
  return undefined;
}

function statIfAny(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}

/**
 * Makes `dir` if missing (mode 0700: the database holds the vendor secret). An existing one must
 * be a directory that a trusted user owns and nobody else may write: 'config.untrusted-path'.
 */
function ensureDataDir(dir: string, owners: ReadonlySet<number>): void {
  let stat: Stats | undefined;
  try {
    stat = lstatSync(dir);
  } catch {
    stat = undefined;
  }
  if (!stat) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    chmodSync(dir, 0o700); // the umask may have removed bits; make the mode exact
    return;
  }
  if (!stat.isDirectory()) throw new PassgateError('config.storage', `data directory ${dir} is not a directory`);
  refuseUntrusted(dir, stat, UNTRUSTED_DIRECTORY_BITS, 0o700, owners);
}

/**
 * Creates the database file with mode 0600 before SQLite opens it (SQLite would use 0644). An
 * existing one must be a regular file that a trusted user owns and nobody else may read or write.
 */
function ensureDatabaseFile(path: string, owners: ReadonlySet<number>, create = true): void {
  let fd: number;
  try {
    if (!create) throw Object.assign(new Error('exists'), { code: 'EEXIST' }); // checks only
    fd = openSync(path, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const stat = lstatSync(path);
    if (!stat.isFile()) throw new PassgateError('config.storage', `config database ${path} is not a regular file`);
    refuseUntrusted(path, stat, UNTRUSTED_SECRET_FILE_BITS, 0o600, owners);
    return;
  }
  closeSync(fd);
  chmodSync(path, 0o600);
}

function refuseUntrusted(path: string, stat: Stats, bits: number, fixMode: number, owners: ReadonlySet<number>): void {
  const problem = trustProblem(stat, bits, owners);
  if (problem) {
    throw new PassgateError('config.untrusted-path', describeTrustProblem(path, stat, problem, fixMode), {
      path,
      problem,
    });
  }
}

function checkSchemaVersion(version: number): void {
  if (version > SCHEMA_VERSION) {
    throw new PassgateError(
      'config.newer-schema',
      `config database has schema version ${version}, newer than this passgate knows (${SCHEMA_VERSION}); ` +
        'upgrade passgate or use another data dir',
      { version, known: SCHEMA_VERSION },
    );
  }
}

function migrate(db: Db): void {
  const readVersion = () => db.pragma('user_version', { simple: true }) as number;
  const check = checkSchemaVersion;
  const found = readVersion();
  check(found);
  if (found === SCHEMA_VERSION) return;
  // Another process (daemon and CLI starting together) may migrate at the same time: take the
  // write lock first, then read the version again inside the transaction.
  db.transaction(() => {
    const version = readVersion();
    check(version);
    for (let next = version; next < SCHEMA_VERSION; next++) {
      MIGRATIONS[next](db);
      db.pragma(`user_version = ${next + 1}`);
    }
  }).immediate();
}

function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY');
}

/** Blocks this thread for `ms`: only while opening the database, before anything else runs. */
function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
