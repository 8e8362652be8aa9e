// The mock portal's data directory and its admin token. The token opens the admin API (device
// registrations, vendor status, faults), so the mock adopts an existing token file only when it
// is its own: a regular file (not a link) that a trusted user owns and nobody else may read or
// write, in a directory nobody else may write. Otherwise another user could plant a token they
// know, or read ours. A new token is written atomically (firmware/core/atomic-file.ts).
import type { Stats } from 'node:fs';
import { constants } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { syncDirectory, writeFileAtomic } from '../../firmware/core/atomic-file.js';
import { PassgateError } from '../../firmware/core/errors.js';
import {
  describeTrustProblem,
  SERVICE_USER,
  type TrustProblem,
  trustedOwners,
  trustProblem,
  UNTRUSTED_DIRECTORY_BITS,
  UNTRUSTED_SECRET_FILE_BITS,
} from '../../firmware/core/path-trust.js';
import type { CryptoSuite } from '../crypto/suite.js';

export const ADMIN_TOKEN_FILE = 'admin-token';
const TOKEN_FILE_MODE = 0o600;
const DIRECTORY_MODE = 0o700;
/** What the mock writes: 24 random bytes, base64url. A shorter or odd token is replaced. */
const TOKEN = /^[A-Za-z0-9_-]{16,128}$/;
/** More than any token the mock writes; a larger file is not a token. */
const MAX_TOKEN_FILE_BYTES = 256;

function untrusted(path: string, problem: TrustProblem | 'not-a-file', message: string): PassgateError {
  return new PassgateError('config.untrusted-path', message, { path, problem });
}

function refuseUntrusted(path: string, s: Stats, bits: number, fixMode: number, owners: ReadonlySet<number>): void {
  const problem = trustProblem(s, bits, owners);
  if (problem === 'owner') {
    throw untrusted(
      path,
      problem,
      `${path} is owned by user ${s.uid}, not by this user, root or ${SERVICE_USER}: another user may have put it there. Fix: remove it, or give the mock a directory of its own (--dir)`,
    );
  }
  if (problem) throw untrusted(path, problem, describeTrustProblem(path, s, problem, fixMode));
}

/** Refuses a data directory that is not a directory, or that an untrusted user owns or may write. */
export async function checkDataDirectory(dir: string, owners: ReadonlySet<number> = trustedOwners()): Promise<void> {
  const s = await stat(dir);
  if (!s.isDirectory()) throw untrusted(dir, 'not-a-file', `${dir} is not a directory`);
  refuseUntrusted(dir, s, UNTRUSTED_DIRECTORY_BITS, DIRECTORY_MODE, owners);
}

/** The token in DIR/admin-token, or null when there is none (or none worth keeping). Refuses a planted one. */
async function readAdminToken(path: string, owners: ReadonlySet<number>): Promise<string | null> {
  let file: Awaited<ReturnType<typeof open>>;
  try {
    // O_NOFOLLOW: the token must be the file itself, not whatever a link points at.
    file = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    if (code === 'ELOOP') throw untrusted(path, 'not-a-file', `${path} is a symbolic link, not a regular file`);
    throw error;
  }
  try {
    const s = await file.stat();
    if (!s.isFile()) throw untrusted(path, 'not-a-file', `${path} is not a regular file`);
    refuseUntrusted(path, s, UNTRUSTED_SECRET_FILE_BITS, TOKEN_FILE_MODE, owners);
    const content = Buffer.alloc(MAX_TOKEN_FILE_BYTES);
    const { bytesRead } = await file.read(content, 0, content.length, 0);
    const token = content.subarray(0, bytesRead).toString('utf8').trim();
    return TOKEN.test(token) ? token : null;
  } finally {
    await file.close();
  }
}

/**
 * The admin token of the mock in `dir`: the existing one if the file is the mock's own (see the
 * top of this file), else a new one written atomically, mode 0600. Throws PassgateError
 * 'config.untrusted-path' for a planted or exposed token file; checkDataDirectory goes first.
 */
export async function loadOrCreateAdminToken(
  dir: string,
  crypto: CryptoSuite,
  owners: ReadonlySet<number> = trustedOwners(),
): Promise<string> {
  const path = join(dir, ADMIN_TOKEN_FILE);
  const existing = await readAdminToken(path, owners);
  if (existing) return existing;
  const token = crypto.randomBytes(24).toString('base64url');
  await writeFileAtomic(path, `${token}\n`, TOKEN_FILE_MODE);
  // Persist the rename; some filesystems refuse fsync on a directory, which is no error here.
  await syncDirectory(dir).catch(() => undefined);
  return token;
}
