// One daemon per data directory, decided before the daemon opens any device or its socket.
//
// Node has no flock(2), so the lock is SQLite's: the daemon keeps a BEGIN EXCLUSIVE transaction
// open on `<dataDir>/daemon.lock` for its whole life. SQLite takes it with POSIX record locks
// (fcntl), which are atomic, so of two daemons starting at the same moment exactly one wins, and
// which the kernel drops when the process ends however it ends (crash, SIGKILL, power cut), so no
// stale lock ever blocks a restart. The transaction never writes: the file stays empty.
//
// Why not the control socket alone ("probe it; nobody answers: unlink the stale file and bind"):
// two daemons starting together can both find the socket stale, and the second then unlinks the
// socket the first has just bound. Under this lock, a socket file in the directory is stale by
// construction, and replacing it is safe.
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { PassgateError } from '../core/errors.js';

export const INSTANCE_LOCK_FILE = 'daemon.lock';

export interface InstanceLock {
  /** Lets the next daemon start. Idempotent. */
  release(): void;
}

/**
 * Takes the data directory's instance lock. Throws PassgateError 'daemon.already-running' when
 * another process holds it, 'config.storage' when the lock file cannot be used.
 */
export function takeInstanceLock(dataDir: string): InstanceLock {
  const path = join(dataDir, INSTANCE_LOCK_FILE);
  let lock: InstanceLock | null;
  try {
    lock = tryExclusiveFileLock(path);
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    const reason = typeof code === 'string' ? code : 'error';
    throw new PassgateError('config.storage', `instance lock ${path} could not be taken (${reason})`, { path });
  }
  if (lock === null) {
    throw new PassgateError(
      'daemon.already-running',
      `another passgate daemon is running on this data directory (it holds ${path})`,
      { path },
    );
  }
  return lock;
}

/**
 * The same kind of lock on any file (created 0600 when missing), for other one-at-a-time work
 * (firmware/update/update-lock.ts): null at once when another process holds it. Throws the
 * file's or SQLite's error when the file cannot be used.
 */
export function tryExclusiveFileLock(path: string): InstanceLock | null {
  let db: Database.Database | undefined;
  try {
    closeSync(openSync(path, 'a', 0o600)); // SQLite would create it 0644
    db = new Database(path, { timeout: 0 });
    db.exec('BEGIN EXCLUSIVE');
  } catch (error) {
    db?.close();
    const code = (error as { code?: unknown } | null)?.code;
    if (typeof code === 'string' && code.startsWith('SQLITE_BUSY')) return null;
    throw error;
  }
  const held = db;
  return {
    release: () => {
      if (held.open) held.close();
    },
  };
}
