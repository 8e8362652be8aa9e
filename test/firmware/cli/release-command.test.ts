// `passgate release keygen|sign|verify` through main(), checked against the OpenSSL command line
// the vendor's customers use: the signature must verify with exactly the command of issue 12.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EXIT } from '../../../firmware/cli/exit-codes.js';
import { allText, expectBilingual, runMain, tempRoot } from '../../support/cli.js';
import { EVENT_WAIT_MS } from '../../support/polling.js';

let tmp: ReturnType<typeof tempRoot>;
beforeEach(() => {
  tmp = tempRoot('pg-release-');
});
afterEach(() => tmp.remove());

/** The vendor's check, word for word. */
function opensslVerifies(dir: string, pem: string, file: string): boolean {
  try {
    const output = execFileSync(
      'openssl',
      [
        ...['pkeyutl', '-verify', '-rawin', '-digest', 'sm3', '-pkeyopt', 'distid:1234567812345678'],
        ...['-pubin', '-inkey', pem, '-sigfile', `${file}.sig`, '-in', file],
      ],
      { cwd: dir, timeout: EVENT_WAIT_MS, stdio: ['ignore', 'pipe', 'pipe'] },
    ).toString();
    return output.includes('Signature Verified Successfully');
  } catch {
    return false;
  }
}

async function keygen(prefix: string) {
  const r = await runMain(['release', 'keygen', '--out', prefix]);
  expect(r.code, allText(r)).toBe(EXIT.ok);
  return r;
}

describe('passgate release', () => {
  it('keygen writes a 0600 private key it never prints and a public key OpenSSL reads as SM2', async () => {
    const prefix = join(tmp.root, 'vendor');
    const r = await keygen(prefix);
    expect(statSync(`${prefix}.key`).mode & 0o777).toBe(0o600);
    const secret = readFileSync(`${prefix}.key`, 'utf8').trim();
    expect(secret).toMatch(/^[0-9a-f]{64}$/);
    expect(allText(r).toLowerCase()).not.toContain(secret);
    const text = execFileSync('openssl', ['pkey', '-pubin', '-in', `${prefix}.pem`, '-noout', '-text'], {
      timeout: EVENT_WAIT_MS,
    }).toString();
    expect(text).toMatch(/SM2/);
  });

  it('keygen never overwrites a key', async () => {
    const prefix = join(tmp.root, 'vendor');
    await keygen(prefix);
    const before = readFileSync(`${prefix}.key`);
    const again = await runMain(['release', 'keygen', '--out', prefix]);
    expect(again.code).toBe(EXIT.releaseKeyExists);
    expectBilingual(again);
    expect(readFileSync(`${prefix}.key`).equals(before)).toBe(true);
    expect((await runMain(['release', 'keygen', '--out', prefix, '--force'])).code).toBe(EXIT.ok);
    expect(readFileSync(`${prefix}.key`).equals(before)).toBe(false);
  });

  it('sign writes a detached signature that OpenSSL verifies, over every byte of a large file', async () => {
    const prefix = join(tmp.root, 'vendor');
    await keygen(prefix);
    const artifact = join(tmp.root, 'passgate_1.2.3_amd64.tar');
    writeFileSync(artifact, randomBytes(3 * 1024 * 1024 + 17)); // several read-stream chunks
    const signed = await runMain(['release', 'sign', '--key', `${prefix}.key`, artifact]);
    expect(signed.code, allText(signed)).toBe(EXIT.ok);
    const signature = readFileSync(`${artifact}.sig`);
    expect(signature[0]).toBe(0x30); // DER SEQUENCE
    expect(opensslVerifies(tmp.root, `${prefix}.pem`, artifact)).toBe(true);
    expect((await runMain(['release', 'verify', '--pubkey', `${prefix}.pem`, artifact])).code).toBe(EXIT.ok);

    // One byte changed anywhere: neither OpenSSL nor passgate accepts it.
    const bytes = readFileSync(artifact);
    bytes[bytes.length - 1] ^= 0x01;
    writeFileSync(artifact, bytes);
    expect(opensslVerifies(tmp.root, `${prefix}.pem`, artifact)).toBe(false);
    const tampered = await runMain(['release', 'verify', '--pubkey', `${prefix}.pem`, artifact]);
    expect(tampered.code).toBe(EXIT.badSignature);
    expectBilingual(tampered);
  });

  it('verify refuses another key and a missing signature, each with its exit code', async () => {
    await keygen(join(tmp.root, 'vendor'));
    await keygen(join(tmp.root, 'other'));
    const artifact = join(tmp.root, 'passgate_1.2.3_amd64.tar');
    writeFileSync(artifact, 'artifact bytes');
    const unsigned = await runMain(['release', 'verify', '--pubkey', join(tmp.root, 'vendor.pem'), artifact]);
    expect(unsigned.code).toBe(EXIT.unsigned);
    await runMain(['release', 'sign', '--key', join(tmp.root, 'other.key'), artifact]);
    expect(opensslVerifies(tmp.root, join(tmp.root, 'other.pem'), artifact)).toBe(true);
    expect(opensslVerifies(tmp.root, join(tmp.root, 'vendor.pem'), artifact)).toBe(false);
    const wrongKey = await runMain(['release', 'verify', '--pubkey', join(tmp.root, 'vendor.pem'), artifact]);
    expect(wrongKey.code).toBe(EXIT.badSignature);
  });

  it('needs no data directory and answers a wrong command line with its usage', async () => {
    const r = await runMain(['release', 'sign', 'file-without-key']);
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr.join('\n')).toContain('passgate release sign');
    const env = { PASSGATE_DATA_DIR: join(tmp.root, 'never-created') };
    await runMain(['release', 'keygen', '--out', join(tmp.root, 'k')], env);
    expect(() => statSync(env.PASSGATE_DATA_DIR)).toThrow();
  });
});
