// The device's SM2 private key on disk: 64 lowercase hex digits and a newline, mode 0600.
// Errors name the file and the reason, never the key or any part of the file's content.
import { constants } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { dirname } from 'node:path';
import { syncDirectory, writeFileAtomic } from '../../firmware/core/atomic-file.js';
import { PassgateError } from '../../firmware/core/errors.js';
import {
  describeTrustProblem,
  trustedOwners,
  trustProblem,
  UNTRUSTED_SECRET_FILE_BITS,
} from '../../firmware/core/path-trust.js';
import { isValidSm2PrivateKey } from './sm2-curve.js';

/** 64 hex digits plus a line ending and some slack; anything larger is not a key file. */
const MAX_KEY_FILE_BYTES = 128;
const KEY_FILE_MODE = 0o600;

type KeyFileProblem =
  | 'missing'
  | 'unreadable'
  | 'not-a-file'
  | 'permissions'
  | 'malformed'
  | 'out-of-range'
  | 'write-failed';

function keyFileError(path: string, reason: KeyFileProblem, message: string, cause?: unknown): PassgateError {
  return new PassgateError('crypto.bad-key', `private key file ${path}: ${message}`, { path, reason }, { cause });
}

function errnoCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error
    ? String((error as { code: unknown }).code)
    : undefined;
}

/**
 * Writes the key atomically: a temporary file created 0600 beside the target, flushed, renamed
 * over the target, then the directory flushed so the rename survives a power cut.
 */
export async function writePrivateKeyFile(path: string, key: Uint8Array): Promise<void> {
  if (!isValidSm2PrivateKey(key)) {
    throw keyFileError(path, 'out-of-range', 'refusing to write: not a valid SM2 private key (32 bytes in [1, n-2])');
  }
  const content = Buffer.from(Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString('hex') + '\n', 'ascii');
  try {
    await writeFileAtomic(path, content, KEY_FILE_MODE);
  } catch (cause) {
    throw keyFileError(path, 'write-failed', `could not be written (${errnoCode(cause) ?? 'error'})`, cause);
  } finally {
    content.fill(0);
  }
  try {
    await syncDirectory(dirname(path));
  } catch (cause) {
    throw keyFileError(
      path,
      'write-failed',
      `written, but its directory could not be flushed (${errnoCode(cause) ?? 'error'})`,
      cause,
    );
  }
}

/**
 * Reads and checks the key. Refuses a file that an untrusted user owns (firmware/core/path-trust.ts),
 * that group or others may access in any way, that is not a regular file, or whose content is not
 * exactly one valid key in hex.
 */
export async function readPrivateKeyFile(path: string, owners: ReadonlySet<number> = trustedOwners()): Promise<Buffer> {
  let file: FileHandle;
  try {
    // O_NOFOLLOW: the key must be the file itself, not whatever a symlink points at.
    file = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (cause) {
    const code = errnoCode(cause);
    if (code === 'ENOENT') throw keyFileError(path, 'missing', 'does not exist', cause);
    if (code === 'ELOOP') throw keyFileError(path, 'not-a-file', 'is a symbolic link', cause);
    throw keyFileError(path, 'unreadable', `cannot be opened (${code ?? 'error'})`, cause);
  }
  let content: Buffer;
  try {
    const stat = await file.stat();
    if (!stat.isFile()) throw keyFileError(path, 'not-a-file', 'is not a regular file');
    if (trustProblem(stat, UNTRUSTED_SECRET_FILE_BITS, owners) === 'owner') {
      throw keyFileError(path, 'permissions', describeTrustProblem(path, stat, 'owner', KEY_FILE_MODE));
    }
    if ((stat.mode & 0o077) !== 0) {
      throw keyFileError(
        path,
        'permissions',
        `is accessible by group or others (mode ${(stat.mode & 0o777).toString(8).padStart(4, '0')}); run chmod 600 on it`,
      );
    }
    if (stat.size > MAX_KEY_FILE_BYTES) throw keyFileError(path, 'malformed', 'is too large to be a key file');
    content = Buffer.alloc(MAX_KEY_FILE_BYTES + 1);
    const { bytesRead } = await file.read(content, 0, content.length, 0);
    content = content.subarray(0, bytesRead);
  } catch (error) {
    if (error instanceof PassgateError) throw error;
    throw keyFileError(path, 'unreadable', `cannot be read (${errnoCode(error) ?? 'error'})`, error);
  } finally {
    await file.close().catch(() => undefined);
  }
  try {
    // Checked on bytes, not a decoded string, so no part of the content ends up in a message.
    let end = content.length;
    while (end > 0 && (content[end - 1] === 0x0a || content[end - 1] === 0x0d)) end -= 1;
    const digits = content.subarray(0, end);
    const isHex = (byte: number): boolean =>
      (byte >= 0x30 && byte <= 0x39) || (byte >= 0x61 && byte <= 0x66) || (byte >= 0x41 && byte <= 0x46);
    if (digits.length !== 64 || !digits.every(isHex)) {
      throw keyFileError(path, 'malformed', 'must hold exactly 64 hexadecimal digits');
    }
    const key = Buffer.from(digits.toString('ascii'), 'hex');
    if (!isValidSm2PrivateKey(key)) {
      key.fill(0);
      throw keyFileError(path, 'out-of-range', 'does not hold a valid SM2 private key (must be in [1, n-2])');
    }
    return key;
  } finally {
    content.fill(0);
  }
}
