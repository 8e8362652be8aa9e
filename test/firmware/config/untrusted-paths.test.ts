// Whoever can write the data directory, the config database or the device key chooses the portal
// the gate believes: such files are refused unless a trusted user owns them and nobody else may
// write them (nor read the secrets), with an error that names the path and the fix.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../firmware/config/database.js';
import { PassgateError } from '../../../firmware/core/errors.js';
import { trustedOwners } from '../../../firmware/core/path-trust.js';
import { readPrivateKeyFile, writePrivateKeyFile } from '../../../portal-client/crypto/key-file.js';
import { crypto } from '../../../scripts/lab/portal-fixture.js';

const dirs: string[] = [];
function freshDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'pg-trust-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function failure(fn: () => unknown): PassgateError {
  try {
    fn();
  } catch (error) {
    if (error instanceof PassgateError) return error;
    throw error;
  }
  throw new Error('expected a PassgateError');
}

/** Owners that do not include whoever owns the temp files: as if another user had made them. */
const STRANGERS_ONLY: ReadonlySet<number> = new Set([987_654]);

describe('trusted owners', () => {
  it('are this user, root and the passgate service user from the passwd file', () => {
    const dir = freshDir();
    const passwd = join(dir, 'passwd');
    writeFileSync(passwd, 'root:x:0:0::/root:/bin/sh\npassgate:x:998:997::/var/lib/passgate:/usr/sbin/nologin\n');
    const owners = trustedOwners(passwd);
    expect(owners.has(0)).toBe(true);
    expect(owners.has(998)).toBe(true);
    expect(owners.has(process.geteuid?.() ?? 0)).toBe(true);
    expect(trustedOwners(join(dir, 'missing')).has(998)).toBe(false);
  });
});

describe('the data directory and the config database', () => {
  it('a new directory and database are created 0700 / 0600 and open', () => {
    const dir = join(freshDir(), 'data');
    openDatabase(dir, 1000).db.close();
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, 'passgate.db')).mode & 0o777).toBe(0o600);
  });

  it('a directory others may write is refused, naming the path and the fix', () => {
    const dir = join(freshDir(), 'data');
    mkdirSync(dir);
    chmodSync(dir, 0o777);
    const error = failure(() => openDatabase(dir, 1000));
    expect(error.code).toBe('config.untrusted-path');
    expect(error.details).toMatchObject({ path: dir, problem: 'mode' });
    expect(error.message).toContain(dir);
    expect(error.message).toContain(`chmod 0700 ${dir}`);
  });

  it('a group-writable directory is refused too', () => {
    const dir = join(freshDir(), 'data');
    mkdirSync(dir);
    chmodSync(dir, 0o770);
    expect(failure(() => openDatabase(dir, 1000)).code).toBe('config.untrusted-path');
  });

  it('a directory owned by another user is refused', () => {
    const dir = join(freshDir(), 'data');
    mkdirSync(dir, { mode: 0o700 });
    const error = failure(() => openDatabase(dir, 1000, STRANGERS_ONLY));
    expect(error.code).toBe('config.untrusted-path');
    expect(error.details.problem).toBe('owner');
    expect(error.message).toContain('chown');
  });

  it('a database file others may read or write is refused', () => {
    const dir = join(freshDir(), 'data');
    openDatabase(dir, 1000).db.close();
    chmodSync(join(dir, 'passgate.db'), 0o644);
    const error = failure(() => openDatabase(dir, 1000));
    expect(error.code).toBe('config.untrusted-path');
    expect(error.details).toMatchObject({ path: join(dir, 'passgate.db'), problem: 'mode' });
  });
});

describe('the device key file', () => {
  it('owned by another user is refused, whatever its mode', async () => {
    const path = join(freshDir(), 'device.key');
    await writePrivateKeyFile(path, crypto.sm2GenerateKeyPair().privateKey);
    await expect(readPrivateKeyFile(path)).resolves.toHaveLength(32);
    const error = await readPrivateKeyFile(path, STRANGERS_ONLY).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PassgateError);
    expect((error as PassgateError).details).toMatchObject({ reason: 'permissions' });
    expect((error as PassgateError).message).toContain('owned by user');
  });
});
