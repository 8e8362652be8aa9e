// firmware/atomic-file.ts: the write-beside-and-rename used for the key file, the mock's state
// file and its TLS material.
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { syncDirectory, writeFileAtomic } from '../../../firmware/core/atomic-file.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'passgate-atomic-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function errnoOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return (error as { code?: unknown }).code;
  }
  throw new Error('expected a rejection');
}

describe('writeFileAtomic', () => {
  it('creates the file with the given mode, text or bytes, and leaves nothing else behind', async () => {
    const path = join(dir, 'a.txt');
    await writeFileAtomic(path, 'hello\n', 0o600);
    expect(await readFile(path, 'utf8')).toBe('hello\n');
    expect((await stat(path)).mode & 0o777).toBe(0o600);

    const bytes = join(dir, 'b.bin');
    await writeFileAtomic(bytes, new Uint8Array([0, 1, 255]), 0o644);
    expect([...(await readFile(bytes))]).toEqual([0, 1, 255]);
    expect((await stat(bytes)).mode & 0o777).toBe(0o644);
    expect((await readdir(dir)).sort()).toEqual(['a.txt', 'b.bin']);
  });

  it('replaces an existing file whole, taking the new mode', async () => {
    const path = join(dir, 'state.json');
    await writeFile(path, 'old content that is longer than the new one', { mode: 0o644 });
    await writeFileAtomic(path, 'new', 0o600);
    expect(await readFile(path, 'utf8')).toBe('new');
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await readdir(dir)).toEqual(['state.json']);
  });

  it('rejects with the errno error and leaves no temporary file when the rename fails', async () => {
    // A directory in the target's place: the temporary file is written, the rename fails.
    const path = join(dir, 'taken');
    await mkdir(path);
    await writeFile(join(path, 'inside'), 'x');
    expect(await errnoOf(writeFileAtomic(path, 'data', 0o600))).toMatch(/^E/);
    expect(await readdir(dir)).toEqual(['taken']);
  });

  it('rejects with ENOENT when the directory does not exist', async () => {
    expect(await errnoOf(writeFileAtomic(join(dir, 'missing', 'x'), 'data', 0o600))).toBe('ENOENT');
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('syncDirectory', () => {
  it('flushes an existing directory and rejects for a missing one', async () => {
    await expect(syncDirectory(dir)).resolves.toBeUndefined();
    expect(await errnoOf(syncDirectory(join(dir, 'missing')))).toBe('ENOENT');
  });
});
