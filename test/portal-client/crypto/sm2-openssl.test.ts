// SM2 signatures cross-checked against the OpenSSL 3 CLI in both directions.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGmCryptoSuite } from '../../../portal-client/crypto/gm-suite.js';
import { sm2PrivateKeyToPem, sm2PublicKeyToPem } from '../../../portal-client/crypto/sm2-pem.js';
import { DEFAULT_SM2_USER_ID } from '../../../portal-client/crypto/suite.js';
import { EVENT_WAIT_MS } from '../../support/polling.js';

const suite = createGmCryptoSuite();
let dir = '';

function openssl(args: string[]): { ok: boolean; output: string } {
  try {
    const output = execFileSync('openssl', args, {
      cwd: dir,
      timeout: EVENT_WAIT_MS,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return { ok: true, output: output.toString() };
  } catch (error) {
    const failure = error as { stdout?: Buffer; stderr?: Buffer };
    return { ok: false, output: `${failure.stdout?.toString() ?? ''}${failure.stderr?.toString() ?? ''}` };
  }
}

function signWithOpenssl(keyFile: string, messageFile: string, sigFile: string, userId: string): void {
  const result = openssl([
    'pkeyutl',
    '-sign',
    '-rawin',
    '-digest',
    'sm3',
    '-inkey',
    keyFile,
    '-pkeyopt',
    `distid:${userId}`,
    '-in',
    messageFile,
    '-out',
    sigFile,
  ]);
  expect(result.output).toBe('');
  expect(result.ok).toBe(true);
}

function verifyWithOpenssl(pubFile: string, messageFile: string, sigFile: string, userId: string): boolean {
  const result = openssl([
    'pkeyutl',
    '-verify',
    '-rawin',
    '-digest',
    'sm3',
    '-pubin',
    '-inkey',
    pubFile,
    '-pkeyopt',
    `distid:${userId}`,
    '-sigfile',
    sigFile,
    '-in',
    messageFile,
  ]);
  return result.ok && result.output.includes('Signature Verified Successfully');
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'passgate-sm2-'));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('SM2 signatures against openssl pkeyutl', () => {
  const pair = createGmCryptoSuite().sm2GenerateKeyPair();
  // Bytes that are not valid UTF-8, so a string round trip anywhere would break the digest.
  const message = Buffer.from([0x00, 0xff, 0xfe, 0x80, 0xc3, 0x28, 0x7b, 0x0a, 0x00]);

  beforeAll(() => {
    writeFileSync(join(dir, 'key.pem'), sm2PrivateKeyToPem(pair.privateKey, pair.publicKey), { mode: 0o600 });
    writeFileSync(join(dir, 'pub.pem'), sm2PublicKeyToPem(pair.publicKey));
    writeFileSync(join(dir, 'msg.bin'), message);
  });

  it('openssl reads our PEM keys as the same SM2 key pair', () => {
    const text = openssl(['pkey', '-in', 'key.pem', '-text', '-noout']);
    expect(text.ok).toBe(true);
    const hexDigits = (label: string): string => {
      const match = new RegExp(`${label}:\\n((?:\\s+[0-9a-f:]+\\n)+)`).exec(text.output);
      return (match?.[1] ?? '').replace(/[\s:]/g, '').replace(/^(00)+/, '');
    };
    expect(hexDigits('priv')).toBe(pair.privateKey.toString('hex').replace(/^(00)+/, ''));
    expect(hexDigits('pub')).toBe(pair.publicKey.toString('hex'));
    expect(text.output).toContain('SM2');
  });

  for (const userId of [DEFAULT_SM2_USER_ID, 'gate-07@venue']) {
    it(`accepts an openssl signature (user ID ${userId})`, () => {
      signWithOpenssl('key.pem', 'msg.bin', 'openssl.sig', userId);
      const signature = readFileSync(join(dir, 'openssl.sig'));
      expect(suite.sm2Verify(pair.publicKey, message, signature, userId)).toBe(true);
      expect(suite.sm2Verify(pair.publicKey, Buffer.concat([message, Buffer.from([0])]), signature, userId)).toBe(
        false,
      );
      expect(suite.sm2Verify(pair.publicKey, message, signature, userId + 'x')).toBe(false);
    });

    it(`openssl accepts our signature (user ID ${userId})`, () => {
      const signature = suite.sm2Sign(pair.privateKey, message, userId);
      writeFileSync(join(dir, 'ours.sig'), signature);
      expect(verifyWithOpenssl('pub.pem', 'msg.bin', 'ours.sig', userId)).toBe(true);
      // Same signature under another user ID or over another message must fail in openssl too.
      expect(verifyWithOpenssl('pub.pem', 'msg.bin', 'ours.sig', userId + 'x')).toBe(false);
      writeFileSync(join(dir, 'other.bin'), Buffer.from('other message'));
      expect(verifyWithOpenssl('pub.pem', 'other.bin', 'ours.sig', userId)).toBe(false);
    });
  }

  it('an empty and a long message both interoperate', () => {
    for (const body of [Buffer.alloc(0), Buffer.alloc(5000, 0xa5)]) {
      writeFileSync(join(dir, 'body.bin'), body);
      writeFileSync(join(dir, 'ours.sig'), suite.sm2Sign(pair.privateKey, body));
      expect(verifyWithOpenssl('pub.pem', 'body.bin', 'ours.sig', DEFAULT_SM2_USER_ID)).toBe(true);
      signWithOpenssl('key.pem', 'body.bin', 'openssl.sig', DEFAULT_SM2_USER_ID);
      expect(suite.sm2Verify(pair.publicKey, body, readFileSync(join(dir, 'openssl.sig')))).toBe(true);
    }
  });
});
