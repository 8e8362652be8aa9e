// The config database across an update: copied (SQLite's online backup, consistent while the old
// daemon still runs) before the new version can migrate it, and put back on rollback, so an old
// version never meets a schema newer than it knows. Both files keep the owner of the data
// directory (the service user) and mode 0600: they hold the vendor secret.
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, chmod, chown, copyFile, open, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { DATABASE_FILE } from '../config/database.js';
import { syncDirectory } from '../core/atomic-file.js';

const BACKUP_FILE = `${DATABASE_FILE}.pre-update`;

export function databaseBackupPath(dataDir: string): string {
  return join(dataDir, BACKUP_FILE);
}

async function exists(path: string): Promise<boolean> {
  return access(path, constants.F_OK).then(
    () => true,
    () => false,
  );
}

async function flushFile(path: string): Promise<void> {
  const file = await open(path, constants.O_RDONLY);
  try {
    await file.sync();
  } finally {
    await file.close();
  }
}

/** Mode 0600, owned like the data directory (root runs updates; the service user reads the file). */
async function ownLikeDataDir(path: string, dataDir: string): Promise<void> {
  await chmod(path, 0o600);
  const owner = await stat(dataDir);
  if (process.getuid?.() === 0) await chown(path, owner.uid, owner.gid);
}

/** Copies the database to its backup path; null when the device has no database yet. */
export async function backupDatabase(dataDir: string): Promise<string | null> {
  const source = join(dataDir, DATABASE_FILE);
  if (!(await exists(source))) return null;
  const target = databaseBackupPath(dataDir);
  const temporary = `${target}.${randomBytes(6).toString('hex')}.tmp`;
  const db = new Database(source, { readonly: true, fileMustExist: true });
  try {
    await db.backup(temporary);
    await ownLikeDataDir(temporary, dataDir);
    await flushFile(temporary);
    await rename(temporary, target);
    await syncDirectory(dataDir);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw error;
  } finally {
    db.close();
  }
  return target;
}

/**
 * Puts the backup back in place of the database. The service must be stopped: the write-ahead
 * log of the newer database is removed first, or SQLite would replay it onto the restored file.
 */
export async function restoreDatabase(dataDir: string, backup: string): Promise<void> {
  const target = join(dataDir, DATABASE_FILE);
  const temporary = `${target}.${randomBytes(6).toString('hex')}.restore.tmp`;
  try {
    await copyFile(backup, temporary);
    await ownLikeDataDir(temporary, dataDir);
    await flushFile(temporary);
    for (const leftover of [`${target}-wal`, `${target}-shm`]) await unlink(leftover).catch(() => undefined);
    await rename(temporary, target);
    await syncDirectory(dataDir);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
}

export async function removeDatabaseBackup(backup: string | null): Promise<void> {
  if (backup !== null) await unlink(backup).catch(() => undefined);
}
