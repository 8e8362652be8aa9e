import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPassgateError } from '../../../firmware/core/errors.js';
import { createGmCryptoSuite } from '../../../portal-client/crypto/gm-suite.js';
import { readPrivateKeyFile, writePrivateKeyFile } from '../../../portal-client/crypto/key-file.js';
import { rejection } from '../../support/failures.js';

const suite = createGmCryptoSuite();
let dir = '';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'passgate-keyfile-'));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('private key file', () => {
  it('writes mode 0600, reads back the same key, leaves no temporary file', async () => {
    const { privateKey } = suite.sm2GenerateKeyPair();
    const path = join(dir, 'device.key');
    await writePrivateKeyFile(path, privateKey);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(await readPrivateKeyFile(path)).toEqual(privateKey);
    expect(readdirSync(dir)).toEqual(['device.key']);
  });

  it('replaces an existing key atomically and keeps 0600', async () => {
    const path = join(dir, 'replaced.key');
    await writePrivateKeyFile(path, suite.sm2GenerateKeyPair().privateKey);
    const second = suite.sm2GenerateKeyPair().privateKey;
    await writePrivateKeyFile(path, second);
    expect(await readPrivateKeyFile(path)).toEqual(second);
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('refuses a 0644 (and a 0640) file, naming the file but not the key', async () => {
    const { privateKey } = suite.sm2GenerateKeyPair();
    const path = join(dir, 'loose.key');
    await writePrivateKeyFile(path, privateKey);
    for (const mode of [0o644, 0o640, 0o604]) {
      chmodSync(path, mode);
      const error = await rejection(readPrivateKeyFile(path));
      expect(error.code).toBe('crypto.bad-key');
      expect(error.details.reason).toBe('permissions');
      expect(error.message).toContain(path);
      expect(error.message).not.toContain(privateKey.toString('hex'));
      expect(JSON.stringify(error.details)).not.toContain(privateKey.toString('hex'));
    }
  });

  it('refuses malformed content, out-of-range keys, missing files, directories and symlinks', async () => {
    const cases: Array<[string, string | Buffer, string]> = [
      ['short.key', 'abcd\n', 'malformed'],
      ['nonhex.key', 'zz'.repeat(32) + '\n', 'malformed'],
      ['spaces.key', ' ' + 'ab'.repeat(32), 'malformed'],
      ['zero.key', '00'.repeat(32) + '\n', 'out-of-range'],
      ['ff.key', 'ff'.repeat(32), 'out-of-range'],
      ['big.key', Buffer.alloc(4096, 0x61), 'malformed'],
    ];
    for (const [name, content, reason] of cases) {
      const path = join(dir, name);
      writeFileSync(path, content, { mode: 0o600 });
      const error = await rejection(readPrivateKeyFile(path));
      expect([error.code, error.details.reason]).toEqual(['crypto.bad-key', reason]);
      expect(error.message).toContain(name);
    }
    // Upper-case hex with CRLF is still one valid key.
    const upper = join(dir, 'upper.key');
    const key = suite.sm2GenerateKeyPair().privateKey;
    writeFileSync(upper, key.toString('hex').toUpperCase() + '\r\n', { mode: 0o600 });
    expect(await readPrivateKeyFile(upper)).toEqual(key);

    expect((await rejection(readPrivateKeyFile(join(dir, 'absent.key')))).details.reason).toBe('missing');
    mkdirSync(join(dir, 'adir'), { mode: 0o700 });
    expect((await rejection(readPrivateKeyFile(join(dir, 'adir')))).details.reason).toBe('not-a-file');
    symlinkSync(upper, join(dir, 'link.key'));
    expect((await rejection(readPrivateKeyFile(join(dir, 'link.key')))).details.reason).toBe('not-a-file');
  });

  it('refuses to write an invalid key or into a missing directory', async () => {
    expect((await rejection(writePrivateKeyFile(join(dir, 'x.key'), Buffer.alloc(32)))).code).toBe('crypto.bad-key');
    expect((await rejection(writePrivateKeyFile(join(dir, 'x.key'), Buffer.alloc(16, 1)))).code).toBe('crypto.bad-key');
    const error = await rejection(
      writePrivateKeyFile(join(dir, 'no-such-dir', 'x.key'), suite.sm2GenerateKeyPair().privateKey),
    );
    expect([error.code, error.details.reason]).toEqual(['crypto.bad-key', 'write-failed']);
    expect(readdirSync(dir).some((name) => name.endsWith('.tmp'))).toBe(false);
  });

  it('random file content never throws anything but PassgateError', async () => {
    const path = join(dir, 'fuzz.key');
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 140 }), async (content) => {
        writeFileSync(path, content, { mode: 0o600 });
        try {
          const key = await readPrivateKeyFile(path);
          expect(key.length).toBe(32);
        } catch (error) {
          expect(isPassgateError(error, 'crypto.bad-key')).toBe(true);
        }
      }),
      { numRuns: 150 },
    );
  });
});
