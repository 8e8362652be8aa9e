// Replacing a file so that a crash or power cut leaves either the old content or the new, never
// half of one: the data goes to a temporary file beside the target (same filesystem, so the
// rename is atomic), is flushed, and only then renamed over the target. Errors are the raw
// errno errors: each caller wraps them in its own typed PassgateError.
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Writes `data` to `path` through a hidden temporary file created with `mode` (O_EXCL, so it is
 * never someone else's file), flushed, then renamed over `path`. On failure the temporary file is
 * removed and the error rethrown. The rename is durable only once the directory is flushed too:
 * see syncDirectory.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, mode: number): Promise<void> {
  const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const file = await open(temporary, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, mode);
    try {
      // The umask cannot add bits, but an odd umask could remove the owner's; state the mode.
      await file.chmod(mode);
      await file.writeFile(data);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temporary, path);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
}

/** Flushes a directory, so that a rename into it survives a power cut. */
export async function syncDirectory(path: string): Promise<void> {
  const directory = await open(path, constants.O_RDONLY);
  try {
    await directory.sync();
  } finally {
    await directory.close();
  }
}
